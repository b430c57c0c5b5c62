import VuptCommandLine
import VuptVerifier

/// `vupt-license import PATH...`.
struct ImportCommand {
    static let name = "vupt-license import"
    static let help = """
        Usage: vupt-license import PATH... [options]

        Install license files and revocation lists into the store. Each PATH is a file
        or a folder, such as a mounted USB stick; folders are scanned for .lic and .rvl
        files up to \(LicenseStore.maximumScanDepth) levels deep, skipping hidden entries and symbolic links.
        Sources are only read, so read-only media work.

        A newer license of a subscription replaces the installed one; an older one is
        refused. A renewal whose term starts later is stored as pending and becomes
        active at the first verification after its start. Each artifact is written
        atomically: an interrupted import leaves the previous state.

        Options:
          --store DIR          Store folder (default: $VUPT_LICENSE_STORE,
                               /var/lib/vupt/license as root, else
                               ~/.local/share/vupt/license)
          --trust DIR          Also trust every k4.public key file (*.pub) in DIR
          --public-key FILE    Also trust the k4.public key in FILE
          --clock-skew SECONDS Tolerance for a host clock behind nbf (default 300)
          --installation-id ID This host's installation id, for licenses bound to
                               one installation (default: $VUPT_INSTALLATION_ID)
          --json               Print a JSON array with one object per artifact
          -h, --help           Show this help

        Exit codes: 0 every artifact accepted, pending or already installed;
        1 some refused (older, expired, revoked); 2 some rejected (unreadable,
        malformed, signature invalid, unknown key); 66 no PATH exists.
        """
    static let options: [OptionSpec] = [
        .value("store", "DIR"), .value("trust", "DIR", repeatable: true),
        .value("public-key", "FILE", repeatable: true), .value("clock-skew", "SECONDS"), .value("installation-id", "ID"), .flag("json"),
    ]

    let arguments: ParsedArguments

    init(_ rawArguments: [String]) throws(CommandError) {
        arguments = try ParsedArguments(rawArguments, options: Self.options, command: Self.name)
    }

    func run() throws -> Int32 {
        if arguments.helpRequested {
            Console.out(Self.help)
            return ExitCode.success
        }
        guard !arguments.positionals.isEmpty else {
            throw CommandError.usage("missing PATH; usage: vupt-license import PATH... (see --help)")
        }
        let trustedKeys = try KeyOptions.trustedKeys(arguments)
        let options = try VerificationSettings.options(arguments)
        let store = LicenseStore(path: LicenseStoreLocation.resolve(explicit: arguments.value("store")))
        var clock = CheckClock(time: .system, stateFile: store.stateFile, clockSkew: options.clockSkew)

        let results: [ImportResult]
        do {
            results = try store.importArtifacts(
                from: arguments.positionals, trustedKeys: trustedKeys, options: options, clock: &clock)
        } catch let error as FileError {
            throw ErrorText.commandError(for: error)
        }

        if arguments.flag("json") {
            Console.out(JSONValue.array(results.map(json)).prettyPrinted())
        } else {
            for result in results {
                let label = result.outcome == .refused || result.outcome == .rejected ? "\(result.outcome.rawValue): " : ""
                Console.out("\(result.source): \(label)\(result.message)")
            }
            Console.out(summary(results, store: store.path))
        }
        for warning in clock.warnings { Console.error("vupt-license: warning: \(warning)") }

        if results.isEmpty || results.allSatisfy({ $0.message == "not found; check the path" }) {
            return ExitCode.inputMissing
        }
        if results.contains(where: { $0.outcome == .rejected }) { return ExitCode.rejected }
        if results.contains(where: { $0.outcome == .refused }) { return ExitCode.notValid }
        return ExitCode.success
    }

    func summary(_ results: [ImportResult], store: String) -> String {
        if results.isEmpty { return "no .lic or .rvl files found; nothing imported into \(store)" }
        let counts = [ImportResult.Outcome.accepted, .pending, .alreadyInstalled, .refused, .rejected].compactMap {
            outcome -> String? in
            let count = results.filter { $0.outcome == outcome }.count
            return count == 0 ? nil : "\(count) \(outcome.rawValue.replacingOccurrences(of: "-", with: " "))"
        }
        return "\(results.count) artifact\(results.count == 1 ? "" : "s"): \(counts.joined(separator: ", ")); store \(store)"
    }

    func json(_ result: ImportResult) -> JSONValue {
        .object([
            ("file", .string(result.source)),
            ("kind", .optionalString(result.kind?.displayName)),
            ("serial", .optionalString(result.serial)),
            ("outcome", .string(result.outcome.rawValue)),
            ("message", .string(result.message)),
        ])
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
