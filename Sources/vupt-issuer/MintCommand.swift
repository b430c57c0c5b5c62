import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer mint`.
struct MintCommand {
    static let name = "vupt-issuer mint"
    static let help = """
        Usage: vupt-issuer mint --key FILE --customer ID --customer-name NAME
                                --tier business|enterprise --seats N --out FILE [options]

        Issue a license: record it in the ledger, then write the license file.

        Options:
          --key FILE              Secret key file (k4.secret-pw)
          --customer ID           Customer id: letters, digits, '.', '_', '-' (max 64)
          --customer-name NAME    Customer name shown to people
          --tier TIER             business or enterprise
          --seats N               Number of seats, 1 to 1000000
          --feature NAME          A licensed feature; repeat for several. Default: the
                                  tier's standard set. Known: \(Feature.allCases.map(\.rawValue).joined(separator: ", "))
          --months N              Term in calendar months (default 12, at most 120)
          --grace-days N          Days the license keeps working after expiry
                                  (default 30, at most 365)
          --not-before TIME       Start of the term (default: now), RFC 3339 UTC
          --installation ID       Bind the license to one installation id
          --out FILE              License file to write (.lic)
          --force                 Replace FILE if it exists
          --ledger FILE           Ledger file (default: $VUPT_LEDGER, else
                                  ./vupt-ledger.sqlite)
          --passphrase-file FILE  Read the key passphrase from FILE
          --at TIME               Issuance time instead of now, for tests and
                                  reproducible fixtures; the ledger records it
          -h, --help              Show this help

        The term ends N calendar months after it starts, at the same time of day in UTC;
        a day that the end month lacks becomes its last day (2024-02-29 + 12 months =
        2025-02-28). Telemetry is always off in air-gapped licenses.
        """
    static let options: [OptionSpec] = [
        .value("key", "FILE"), .value("customer", "ID"), .value("customer-name", "NAME"), .value("tier", "TIER"),
        .value("seats", "N"), .value("feature", "NAME", repeatable: true), .value("months", "N"),
        .value("grace-days", "N"), .value("not-before", "TIME"), .value("installation", "ID"),
        .value("out", "FILE"), .flag("force"), .value("ledger", "FILE"), .value("passphrase-file", "FILE"),
        .value("at", "TIME"),
    ]

    let arguments: ParsedArguments

    init(_ rawArguments: [String]) throws(CommandError) {
        arguments = try ParsedArguments(rawArguments, options: Self.options, command: Self.name)
    }

    func required(_ option: String) throws(CommandError) -> String {
        guard let value = arguments.value(option) else {
            throw .usage("missing --\(option); see '\(Self.name) --help'")
        }
        return value
    }

    func request() throws(CommandError) -> LicenseRequest {
        let tierName = try required("tier")
        guard let tier = Tier(rawValue: tierName) else {
            throw .usage("invalid --tier '\(tierName)': air-gapped licenses exist only for business and enterprise")
        }
        guard let seats = try arguments.integer("seats", in: Int64.min...Int64.max) ?? nil else {
            throw .usage("missing --seats; see '\(Self.name) --help'")
        }
        var notBefore: Timestamp?
        if let text = arguments.value("not-before") {
            guard let parsed = Timestamp(commandLine: text) else {
                throw .usage("invalid --not-before '\(text)': expected RFC 3339 such as 2027-01-01T00:00:00Z")
            }
            notBefore = parsed
        }
        let months = try arguments.integer("months", in: Int64.min...Int64.max) ?? Int64(LicenseRequest.defaultMonths)
        let request = LicenseRequest(
            customerID: try required("customer"), customerName: try required("customer-name"), tier: tier, seats: seats,
            features: arguments.allValues("feature"), months: Int(clamping: months),
            gracePeriodDays: try arguments.integer("grace-days", in: Int64.min...Int64.max)
                ?? LicenseRequest.defaultGracePeriodDays,
            notBefore: notBefore, installationID: arguments.value("installation"))
        do {
            _ = try request.validatedFeatures()
        } catch {
            throw .usage("\(error)")
        }
        return request
    }

    func run() throws -> Int32 {
        if arguments.helpRequested {
            Console.out(Self.help)
            return ExitCode.success
        }
        try arguments.requirePositionals([], command: Self.name)
        let keyPath = try required("key")
        let outPath = try required("out")
        let request = try request()
        let now = try IssuerErrors.now(arguments)
        let force = arguments.flag("force")
        try IssuerErrors.checkOutputWritable(outPath, force: force)

        // The key is unlocked before the ledger is opened: a wrong passphrase leaves no trace.
        let passphrase = try Passphrase.obtain(file: arguments.value("passphrase-file"), confirm: false)
        let key = try SigningKeyFile.unlock(path: keyPath, passphrase: passphrase)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(arguments))
        let issued = try ledger.mint(request, key: key, operatorName: currentOperatorName(), now: now)

        try LicenseFileWriter.write(issued, to: outPath, force: force)
        let claims = issued.claims
        Console.out("issued \(issued.serial) to \(claims.customerName) (\(claims.customerID))")
        Console.out("  tier \(claims.tier.rawValue), \(counted(claims.seats, "seat")), features: \(claims.features.joined(separator: ", "))")
        Console.out("  valid \(claims.notBefore.rfc3339) to \(claims.notAfter.rfc3339), grace \(counted(claims.gracePeriodDays, "day"))")
        Console.out("  ledger \(ledger.path), entry \(issued.entryIndex)")
        Console.out("  file \(outPath)")
        return ExitCode.success
    }
}

/// Writes license files after the ledger has committed them.
enum LicenseFileWriter {
    static func write(_ issued: IssuedLicense, to path: String, force: Bool) throws(CommandError) {
        let text = ArtifactSigner.licenseFileText(token: issued.token, claims: issued.claims)
        do {
            try FileIO.writeAtomically(path, bytes: Array(text.utf8), mode: 0o644, overwrite: force)
        } catch {
            throw CommandError(
                "license \(issued.serial) is recorded in the ledger, but \(error); "
                    + "write it again with 'vupt-issuer export \(issued.serial) --out FILE'",
                exitCode: ExitCode.cannotCreate)
        }
    }
}
