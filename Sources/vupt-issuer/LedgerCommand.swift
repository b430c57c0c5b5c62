#if canImport(Glibc)
import Glibc
#endif
import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer ledger …`: history queries, audit and proofs. None needs a secret key.
enum LedgerCommand {
    static let help = """
        Usage: vupt-issuer ledger <subcommand> [options]

        Subcommands (none needs a secret key; all work on a read-only copy):
          list          List licenses, with filters
          show SERIAL   Show a subscription's lineage: every issuance, renewal and
                        revocation, with who did it and when
          export        Write the whole history as CSV or JSON, streamed
          verify        Audit the ledger: leaves, tree, signatures, checkpoints
          checkpoint    Print the newest signed checkpoint
          proof SERIAL  Write an inclusion proof of a license
          consistency   Write or check a consistency proof from an older checkpoint

        Common options:
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help      Show a subcommand's help
        """

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let subcommand = arguments.first else {
            throw CommandError.usage("missing subcommand; run 'vupt-issuer ledger --help'")
        }
        let rest = Array(arguments.dropFirst())
        switch subcommand {
        case "--help", "-h":
            Console.out(help)
            return ExitCode.success
        case "list": return try LedgerListCommand.run(rest)
        case "show": return try LedgerShowCommand.run(rest)
        case "export": return try LedgerExportCommand.run(rest)
        case "verify": return try LedgerVerifyCommand.run(rest)
        case "checkpoint": return try LedgerCheckpointCommand.run(rest)
        case "proof": return try LedgerProofCommand.run(rest)
        case "consistency": return try LedgerConsistencyCommand.run(rest)
        default:
            throw CommandError.usage("unknown subcommand 'ledger \(subcommand)'; run 'vupt-issuer ledger --help'")
        }
    }

    /// Parses a subcommand's arguments, printing its help when asked.
    static func parse(_ arguments: [String], options: [OptionSpec], name: String, help: String) throws(CommandError) -> ParsedArguments? {
        let parsed = try ParsedArguments(arguments, options: options, command: name)
        if parsed.helpRequested {
            Console.out(help)
            return nil
        }
        return parsed
    }

    static func readText(_ path: String, limit: Int = 64 * 1024) throws(CommandError) -> String {
        do {
            return String(decoding: try FileIO.read(path, limit: limit), as: UTF8.self)
        } catch {
            throw ErrorText.commandError(for: error)
        }
    }

    /// Writes `text` to FILE atomically, or to standard output when no FILE is given.
    /// Writes `text` to standard output, or to the file at `path`. A file written gets one
    /// line on standard output naming `description` and the path, when a description is given.
    static func output(
        _ text: String, to path: String?, force: Bool = true, description: String? = nil
    ) throws(CommandError) {
        guard let path else {
            Console.write(text, to: STDOUT_FILENO)
            return
        }
        do {
            try FileIO.writeAtomically(path, bytes: Array(text.utf8), mode: 0o644, overwrite: force)
        } catch {
            throw ErrorText.commandError(for: error)
        }
        if let description { Console.out("\(description) written to \(path)") }
    }

    static func filter(_ parsed: ParsedArguments) throws(CommandError) -> LicenseFilter {
        var filter = LicenseFilter(customerID: parsed.value("customer"), name: parsed.value("name"))
        for (option, assign) in [("since", { (f: inout LicenseFilter, t: Timestamp) in f.since = t }),
                                 ("until", { (f: inout LicenseFilter, t: Timestamp) in f.until = t })] {
            guard let text = parsed.value(option) else { continue }
            guard let time = Timestamp(commandLine: text) else {
                throw .usage("invalid --\(option) '\(text)': expected a date such as 2026-01-31 or RFC 3339")
            }
            assign(&filter, time)
        }
        if let tier = parsed.value("tier") {
            guard let value = Tier(rawValue: tier) else { throw .usage("invalid --tier '\(tier)': business or enterprise") }
            filter.tier = value
        }
        if let status = parsed.value("status") {
            guard let value = LedgerStatus(rawValue: status) else {
                throw .usage("invalid --status '\(status)': pending, active, expired, superseded or revoked")
            }
            filter.status = value
        }
        return filter
    }

    static func json(_ row: LicenseHistoryRow) -> JSONValue {
        let license = row.license
        let claims = license.claims
        return .object([
            ("serial", .string(license.serial)),
            ("status", .string(row.status.rawValue)),
            ("entryIndex", .integer(license.entryIndex)),
            ("customer", .string(claims.customerID)),
            ("customerName", .string(claims.customerName)),
            ("tier", .string(claims.tier.rawValue)),
            ("seats", .integer(claims.seats)),
            ("features", .array(claims.features.map { .string($0) })),
            ("issuedAt", .string(claims.issuedAt.rfc3339)),
            ("notBefore", .string(claims.notBefore.rfc3339)),
            ("notAfter", .string(claims.notAfter.rfc3339)),
            ("subscription", .string(claims.subscriptionID)),
            ("sequence", .integer(claims.sequence)),
            ("supersedes", .optionalString(claims.supersedes)),
            ("supersededBy", .optionalString(row.supersededBy)),
            ("revocationReason", .optionalString(row.revocationReason)),
            ("installation", .optionalString(claims.installationID)),
            ("keyId", .string(license.keyID)),
            ("operator", .string(license.operatorName)),
        ])
    }

    static let csvHeader =
        "serial,status,entry_index,customer,customer_name,tier,seats,features,issued_at,not_before,not_after,"
        + "subscription,sequence,supersedes,superseded_by,revocation_reason,installation,key_id,operator"

    static func csv(_ row: LicenseHistoryRow) -> String {
        let license = row.license
        let claims = license.claims
        return [
            license.serial, row.status.rawValue, String(license.entryIndex), claims.customerID,
            CSV.field(claims.customerName), claims.tier.rawValue, String(claims.seats),
            CSV.field(claims.features.joined(separator: " ")), claims.issuedAt.rfc3339, claims.notBefore.rfc3339,
            claims.notAfter.rfc3339, claims.subscriptionID, String(claims.sequence), claims.supersedes ?? "",
            row.supersededBy ?? "", CSV.field(row.revocationReason ?? ""), claims.installationID ?? "",
            license.keyID, CSV.field(license.operatorName),
        ].joined(separator: ",")
    }
}

enum LedgerListCommand {
    static let name = "vupt-issuer ledger list"
    static let help = """
        Usage: vupt-issuer ledger list [filters] [--json | --csv] [--ledger FILE]

        List licenses in serial order with their status now: pending (term not started),
        active, expired, superseded (a renewal's term has started) or revoked.

        Filters:
          --customer ID     Customer id, exact
          --name TEXT       Customer name containing TEXT, ignoring case and Unicode
                            normalization (NFC and NFD match)
          --since DATE      Issued on or after DATE (RFC 3339 or YYYY-MM-DD, UTC)
          --until DATE      Issued before DATE
          --tier TIER       business or enterprise
          --status STATUS   pending, active, expired, superseded or revoked
        Options:
          --json            Print a JSON array
          --csv             Print CSV with a header row
          --at TIME         Compute the status at TIME instead of now
          --ledger FILE     Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help        Show this help
        """
    static let options: [OptionSpec] = [
        .value("customer", "ID"), .value("name", "TEXT"), .value("since", "DATE"), .value("until", "DATE"),
        .value("tier", "TIER"), .value("status", "STATUS"), .flag("json"), .flag("csv"), .value("at", "TIME"),
        .value("ledger", "FILE"),
    ]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals([], command: name)
        if parsed.flag("json") && parsed.flag("csv") { throw CommandError.usage("give --json or --csv, not both") }
        let filter = try LedgerCommand.filter(parsed)
        let now = try IssuerErrors.now(parsed)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)

        if parsed.flag("json") {
            var first = true
            Console.write("[", to: STDOUT_FILENO)
            try ledger.forEachLicense(matching: filter, now: now) { row in
                Console.write((first ? "\n" : ",\n") + LedgerCommand.json(row).prettyPrinted(indent: "  ").indented(), to: STDOUT_FILENO)
                first = false
            }
            Console.out(first ? "]" : "\n]")
            return ExitCode.success
        }
        if parsed.flag("csv") {
            Console.out(LedgerCommand.csvHeader)
            try ledger.forEachLicense(matching: filter, now: now) { Console.out(LedgerCommand.csv($0)) }
            return ExitCode.success
        }
        Console.out("serial         status      customer             tier        seats  not after             entry  operator")
        try ledger.forEachLicense(matching: filter, now: now) { row in
            let claims = row.license.claims
            Console.out(
                [pad(row.license.serial, 14), pad(row.status.rawValue, 11), pad(claims.customerID, 20),
                 pad(claims.tier.rawValue, 11), pad(String(claims.seats), 6), pad(claims.notAfter.rfc3339, 21),
                 pad(String(row.license.entryIndex), 6), row.license.operatorName].joined(separator: " "))
        }
        return ExitCode.success
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    /// Prefixes the first line with two spaces; pretty-printed nested lines already are.
    func indented() -> String { "  " + self }
}

enum LedgerShowCommand {
    static let name = "vupt-issuer ledger show"
    static let help = """
        Usage: vupt-issuer ledger show SERIAL [--json] [--ledger FILE]

        Show the whole subscription that SERIAL belongs to: every license from the first
        issuance through each renewal, and any revocation, with the operator and time.

        Options:
          --json          Print a JSON array
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help      Show this help
        """
    static let options: [OptionSpec] = [.flag("json"), .value("ledger", "FILE")]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals(["SERIAL"], command: name)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)
        let license = try ledger.license(serial: parsed.positionals[0])
        let chain = try ledger.subscription(license.claims.subscriptionID)
        let revocations = Dictionary(
            try ledger.revocations().map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })

        // Events in ledger order, which is the order they happened.
        var events: [(index: Int64, line: String, json: JSONValue)] = []
        for item in chain {
            let claims = item.claims
            let action = claims.sequence == 1 ? "issued" : "renewed"
            events.append((
                item.entryIndex,
                "  \(claims.issuedAt.rfc3339)  \(action) \(item.serial) (sequence \(claims.sequence)) by \(item.operatorName): "
                    + "\(claims.tier.rawValue), \(counted(claims.seats, "seat")), \(claims.notBefore.rfc3339) to "
                    + "\(claims.notAfter.rfc3339), entry \(item.entryIndex)",
                .object([
                    ("event", .string(action)), ("serial", .string(item.serial)), ("sequence", .integer(claims.sequence)),
                    ("at", .string(claims.issuedAt.rfc3339)), ("operator", .string(item.operatorName)),
                    ("tier", .string(claims.tier.rawValue)), ("seats", .integer(claims.seats)),
                    ("notBefore", .string(claims.notBefore.rfc3339)), ("notAfter", .string(claims.notAfter.rfc3339)),
                    ("entryIndex", .integer(item.entryIndex)),
                ])))
            if let revocation = revocations[item.serial] {
                events.append((
                    revocation.entryIndex,
                    "  \(revocation.revokedAt.rfc3339)  revoked \(item.serial) by \(revocation.operatorName): "
                        + "\(revocation.reason), entry \(revocation.entryIndex)",
                    .object([
                        ("event", .string("revoked")), ("serial", .string(item.serial)),
                        ("at", .string(revocation.revokedAt.rfc3339)), ("operator", .string(revocation.operatorName)),
                        ("reason", .string(revocation.reason)), ("entryIndex", .integer(revocation.entryIndex)),
                    ])))
            }
        }
        events.sort { $0.index < $1.index }
        let title = "subscription \(license.claims.subscriptionID) of \(license.claims.customerName) (\(license.claims.customerID))"
        if parsed.flag("json") {
            Console.out(JSONValue.array(events.map(\.json)).prettyPrinted())
        } else {
            Console.out(([title] + events.map(\.line)).joined(separator: "\n"))
        }
        return ExitCode.success
    }
}

enum LedgerExportCommand {
    static let name = "vupt-issuer ledger export"
    static let help = """
        Usage: vupt-issuer ledger export --format csv|json --out FILE [--ledger FILE]

        Write every license with its status to FILE, one row at a time, so memory stays
        flat however large the ledger is. FILE appears only when complete.

        Options:
          --format FORMAT   csv (with a header row) or json (an array)
          --out FILE        Output file; '-' for standard output
          --at TIME         Compute the status at TIME instead of now
          --ledger FILE     Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help        Show this help
        """
    static let options: [OptionSpec] = [
        .value("format", "FORMAT"), .value("out", "FILE"), .value("at", "TIME"), .value("ledger", "FILE"),
    ]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals([], command: name)
        let format = try parsed.required("format", command: name)
        guard format == "csv" || format == "json" else { throw CommandError.usage("invalid --format '\(format)': csv or json") }
        let out = try parsed.required("out", command: name)
        let now = try IssuerErrors.now(parsed)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)

        let writer = try StreamWriter(path: out == "-" ? nil : out)
        var count = 0
        do {
            if format == "csv" { try writer.write(LedgerCommand.csvHeader + "\n") } else { try writer.write("[") }
            try ledger.forEachLicense(matching: LicenseFilter(), now: now) { row in
                if format == "csv" {
                    try writer.write(LedgerCommand.csv(row) + "\n")
                } else {
                    try writer.write((count == 0 ? "\n" : ",\n") + String(decoding: LedgerCommand.json(row).serialized(), as: UTF8.self))
                }
                count += 1
            }
            if format == "json" { try writer.write(count == 0 ? "]\n" : "\n]\n") }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        if out != "-" { Console.error("exported \(counted(count, "license")) to \(out)") }
        return ExitCode.success
    }
}

/// Writes a file in chunks through a temp file that is renamed into place on commit.
final class StreamWriter {
    private let path: String?
    private let temporaryPath: String?
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        // A device or pipe such as /dev/null is written directly, never replaced by rename.
        if let path, !FileIO.isDirectory(path), FileIO.exists(path), FileIO.size(path) == nil {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cannotCreate)
            }
            self.path = nil
            temporaryPath = nil
            descriptor = fd
            return
        }
        self.path = path
        guard let path else {
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        let folder = FileIO.directoryName(of: path)
        var template = Array("\(folder)/.\(FileIO.baseName(of: path)).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw CommandError("cannot create \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cannotCreate)
        }
        descriptor = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        fchmod(fd, 0o644)
    }

    func write(_ text: String) throws {
        buffer += text.utf8
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw CommandError("write failed: \(String(cString: strerror(errno)))", exitCode: ExitCode.ioError)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try flush()
        guard let path, let temporaryPath else { return }
        guard fsync(descriptor) == 0, close(descriptor) == 0, rename(temporaryPath, path) == 0 else {
            throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.ioError)
        }
        try FileIO.syncDirectory(FileIO.directoryName(of: path))
    }

    func abandon() {
        guard let temporaryPath else { return }
        close(descriptor)
        unlink(temporaryPath)
    }
}
