import VuptCommandLine
import VuptVerifier

/// `vupt-license status`.
struct StatusCommand {
    static let name = "vupt-license status"
    static let help = """
        Usage: vupt-license status [options]

        Show the store: active licenses, pending renewals, superseded licenses, days
        left, the installed revocation list, the last trusted time and the store path.

        Options:
          --store DIR          Store folder (default: $VUPT_LICENSE_STORE,
                               /var/lib/vupt/license as root, else
                               ~/.local/share/vupt/license)
          --trust DIR          Also trust every k4.public key file (*.pub) in DIR
          --public-key FILE    Also trust the k4.public key in FILE
          --at TIME            Show the status at TIME; the rollback state is neither
                               read nor written
          --clock-skew SECONDS Tolerance for a host clock behind nbf (default 300)
          --warn-days DAYS     Report 'expiring' this many days before expiry (default 30)
          --installation-id ID This host's installation id, for licenses bound to
                               one installation (default: $VUPT_INSTALLATION_ID)
          --json               Print a JSON object
          -h, --help           Show this help

        Exit codes: 0 an active license permits use; 1 none does; 2 a store file no
        longer verifies; 66 the store holds no license.
        """
    static let options: [OptionSpec] = [
        .value("store", "DIR"), .value("trust", "DIR", repeatable: true),
        .value("public-key", "FILE", repeatable: true), .value("at", "TIME"), .value("clock-skew", "SECONDS"),
        .value("warn-days", "DAYS"), .value("installation-id", "ID"), .flag("json"),
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
        try arguments.requirePositionals([], command: Self.name)
        let trustedKeys = try KeyOptions.trustedKeys(arguments)
        let options = try VerificationSettings.options(arguments)
        let time = try VerificationSettings.time(arguments)
        let store = LicenseStore(path: LicenseStoreLocation.resolve(explicit: arguments.value("store")))
        var clock = CheckClock(time: time, stateFile: store.stateFile, clockSkew: options.clockSkew)
        let report = store.check(trustedKeys: trustedKeys, options: options, clock: &clock)

        if arguments.flag("json") {
            Console.out(json(report, clock: clock).prettyPrinted())
        } else {
            Console.out(text(report, clock: clock))
        }
        for warning in clock.warnings { Console.error("vupt-license: warning: \(warning)") }
        if report.entries.isEmpty && report.rejectedFiles.isEmpty { return ExitCode.inputMissing }
        if !report.rejectedFiles.isEmpty { return ExitCode.rejected }
        return report.primary?.status.permitsUse == true ? ExitCode.success : ExitCode.notValid
    }

    func text(_ report: StoreReport, clock: CheckClock) -> String {
        var lines = ["store:              \(report.storePath)"]
        lines.append("evaluated at:       \(clock.baseInstant.rfc3339)")
        if clock.hostTime == nil {
            lines.append("last trusted time:  not read, because --at fixes the time")
        } else {
            lines.append("last trusted time:  \(report.lastTrustedTime?.rfc3339 ?? "none (no state yet)")")
        }
        if let rollback = clock.stateRollback {
            lines.append("clock rollback:     host clock \(rollback.hostTime.rfc3339) is behind \(rollback.trustedTime.rfc3339)")
        }
        lines.append("revocation list:    " + (report.revocationList.map {
            "number \($0.list.number), issued \($0.list.issuedAt.rfc3339), \(counted($0.list.entries.count, "serial"))"
        } ?? "none installed"))
        if report.entries.isEmpty { lines.append("licenses:           none installed") }
        for entry in report.entries {
            guard let claims = entry.verdict.license?.claims else { continue }
            var line = "\(entry.role.rawValue) \(claims.serial): \(entry.verdict.status.rawValue)"
            line += ", \(claims.customerName), \(claims.tier.rawValue), \(counted(claims.seats, "seat"))"
            switch entry.role {
            case .pending: line += ", starts \(claims.notBefore.rfc3339)"
            case .active, .superseded:
                line += ", until \(claims.notAfter.rfc3339)" + VerdictReport.daysLeft(entry.verdict)
            }
            // A pending renewal is not yet valid by definition, and an expiring license's days
            // are already shown, so only other reasons are added.
            let expected: [VerdictStatus] = entry.role == .pending ? [.valid, .notYetValid] : [.valid, .expiring]
            if !expected.contains(entry.verdict.status), let reason = entry.verdict.reason { line += "; \(reason)" }
            lines.append(line)
        }
        for rejected in report.rejectedFiles { lines.append("unusable file \(rejected.path): \(rejected.error)") }
        return lines.joined(separator: "\n")
    }

    func json(_ report: StoreReport, clock: CheckClock) -> JSONValue {
        .object([
            ("store", .string(report.storePath)),
            ("evaluatedAt", .string(clock.baseInstant.rfc3339)),
            ("lastTrustedTime", .optionalString(report.lastTrustedTime?.rfc3339)),
            ("clockRollback", .bool(clock.stateRollback != nil)),
            ("revocationList", report.revocationList.map {
                .object([("number", .integer($0.list.number)), ("issuedAt", .string($0.list.issuedAt.rfc3339)),
                         ("serials", .integer(Int64($0.list.entries.count)))])
            } ?? .null),
            ("licenses", .array(report.entries.map { entry in
                var value = VerdictReport.json(entry.verdict, path: report.storePath)
                if case .object(var members) = value {
                    members.insert(("role", .string(entry.role.rawValue)), at: 0)
                    members.removeAll { $0.key == "file" }
                    value = .object(members)
                }
                return value
            })),
            ("unusableFiles", .array(report.rejectedFiles.map {
                .object([("file", .string($0.path)), ("error", .string($0.error))])
            })),
        ])
    }
}
