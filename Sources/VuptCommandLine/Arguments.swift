/// An option a subcommand accepts.
public struct OptionSpec: Sendable {
    public let name: String
    /// The value placeholder in help text; nil for a flag without a value.
    public let valueName: String?
    public let repeatable: Bool

    public static func flag(_ name: String) -> OptionSpec { OptionSpec(name: name, valueName: nil, repeatable: false) }

    public static func value(_ name: String, _ valueName: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, repeatable: repeatable)
    }
}

/// Arguments after parsing against a list of `OptionSpec`.
public struct ParsedArguments: Sendable {
    public private(set) var values: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []
    public private(set) var helpRequested = false

    /// Parses `--name value`, `--name=value`, flags, positionals and `--`.
    ///
    /// - Parameter command: the command's full name, used in error messages.
    public init(_ arguments: [String], options: [OptionSpec], command: String) throws(CommandError) {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "--help" || argument == "-h" {
                helpRequested = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = options.first(where: { "--" + $0.name == name }) else {
                throw .usage("unknown option '\(name)'; run '\(command) --help' for the options")
            }
            guard spec.valueName != nil else {
                if inlineValue != nil { throw .usage("option '--\(spec.name)' takes no value") }
                flags.insert(spec.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw .usage("option '--\(spec.name)' needs a value: --\(spec.name) \(spec.valueName!)")
                }
                value = arguments[index]
                index += 1
            }
            if !spec.repeatable, values[spec.name] != nil {
                throw .usage("option '--\(spec.name)' is given more than once")
            }
            values[spec.name, default: []].append(value)
        }
    }

    public func value(_ name: String) -> String? { values[name]?.last }

    /// Returns the value of an option the command cannot run without.
    public func required(_ name: String, command: String) throws(CommandError) -> String {
        guard let value = value(name) else { throw .usage("missing --\(name); see '\(command) --help'") }
        return value
    }
    public func allValues(_ name: String) -> [String] { values[name] ?? [] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Returns an integer option within `range`, or nil when absent.
    public func integer(_ name: String, in range: ClosedRange<Int64>) throws(CommandError) -> Int64? {
        guard let text = value(name) else { return nil }
        guard let number = Int64(text), range.contains(number) else {
            throw .usage("invalid --\(name) '\(text)': expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Requires exactly `count` positional arguments, named in the error.
    public func requirePositionals(_ names: [String], command: String) throws(CommandError) {
        if positionals.count < names.count {
            throw .usage("missing \(names[positionals.count]); usage: see '\(command) --help'")
        }
        if positionals.count > names.count {
            throw .usage("unexpected argument '\(positionals[names.count])'; see '\(command) --help'")
        }
    }
}
