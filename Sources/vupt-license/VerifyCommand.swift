import VuptCommandLine
import VuptTrustedKeys
import VuptVerifier

/// `vupt-license verify FILE`.
struct VerifyCommand {
    static let name = "vupt-license verify"
    static let help = """
        Usage: vupt-license verify [FILE] [options]

        Verify a license file offline: signature, trusted key, validity window,
        and the store's revocation list. Without FILE, verify the installed active
        license, as the Vupt application does at start-up.

        Options:
          --trust DIR          Also trust every k4.public key file (*.pub) in DIR
          --public-key FILE    Also trust the k4.public key in FILE
          --at TIME            Evaluate at TIME instead of now (RFC 3339, e.g.
                               2027-01-31T12:00:00Z, or a date such as 2027-01-31);
                               the rollback state is neither read nor written
          --clock-skew SECONDS Tolerance for a host clock behind the license's
                               nbf or iat (default 300, at most 86400)
          --warn-days DAYS     Report 'expiring' this many days before expiry
                               (default 30)
          --installation-id ID This host's installation id, for licenses bound to
                               one installation (default: $VUPT_INSTALLATION_ID)
          --store DIR          Store holding the rollback state (default:
                               $VUPT_LICENSE_STORE, /var/lib/vupt/license as root,
                               else ~/.local/share/vupt/license)
          --proof FILE         Also check an inclusion proof ('vupt-issuer ledger proof')
                               that the license is recorded in the vendor's ledger,
                               against a checkpoint signed by a trusted key
          --json               Print the result as a JSON object
          -h, --help           Show this help

        Exit codes: 0 valid, expiring or in grace; 1 not valid at this time;
        2 file rejected (malformed, signature invalid, unknown key, ...); 64 usage;
        66 file missing.
        """
    static let options: [OptionSpec] = [
        .value("trust", "DIR", repeatable: true), .value("public-key", "FILE", repeatable: true),
        .value("at", "TIME"), .value("clock-skew", "SECONDS"), .value("warn-days", "DAYS"),
        .value("store", "DIR"), .value("proof", "FILE"), .value("installation-id", "ID"), .flag("json"),
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
        let trustedKeys = try KeyOptions.trustedKeys(arguments)
        var options = try VerificationSettings.options(arguments)
        let time = try VerificationSettings.time(arguments)
        let store = LicenseStore(path: LicenseStoreLocation.resolve(explicit: arguments.value("store")))
        if arguments.positionals.isEmpty {
            return try verifyInstalled(store: store, trustedKeys: trustedKeys, options: options, time: time)
        }
        try arguments.requirePositionals(["FILE"], command: Self.name)
        let path = arguments.positionals[0]

        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, limit: ArmoredFile.maximumFileSize)
        } catch .tooLarge {
            // An oversized file is a rejected artifact like any other, with a verdict.
            let size = FileIO.size(path) ?? ArmoredFile.maximumFileSize + 1
            let clock = CheckClock(time: time, stateFile: nil, clockSkew: options.clockSkew)
            let verdict = LicenseVerifier.invalidVerdict(
                .tooLarge(size: size, limit: ArmoredFile.maximumFileSize), clock: clock)
            return VerdictReport.print(verdict, path: path, json: arguments.flag("json"))
        } catch {
            throw ErrorText.commandError(for: error)
        }

        // The store's revocation list and newer installed licenses apply to any file.
        let installed = store.contents(trustedKeys: trustedKeys)
        if let list = installed.revocationList { options.revokedSerials = list.list.reasonsBySerial }
        var clock = CheckClock(time: time, stateFile: store.stateFile, clockSkew: options.clockSkew)
        let roles = LicenseStore.roles(of: installed.licenses, clock: clock)
        let verdict: LicenseVerdict
        do {
            let license = try LicenseVerifier.verifiedLicense(from: bytes, trustedKeys: trustedKeys)
            if let newer = roles.first(where: {
                $0.role == .active && $0.license.claims.subscriptionID == license.claims.subscriptionID
                    && $0.license.claims.sequence > license.claims.sequence
            }) {
                options.supersededSerials[license.claims.serial] = newer.license.claims.serial
            }
            clock.noteVerified(issuedAt: license.claims.issuedAt)
            clock.save()
            verdict = LicenseVerifier.evaluate(license, clock: clock, options: options)
        } catch {
            clock.save()
            verdict = LicenseVerifier.invalidVerdict(error, clock: clock)
        }
        guard let proofPath = arguments.value("proof") else {
            return VerdictReport.print(verdict, path: path, json: arguments.flag("json"))
        }
        return try checkProof(proofPath, verdict: verdict, path: path, trustedKeys: trustedKeys)
    }

    /// Checks the inclusion proof, then prints the verdict with the proof's outcome.
    /// A proof that does not hold makes the result exit 2, whatever the verdict.
    private func checkProof(_ proofPath: String, verdict: LicenseVerdict, path: String, trustedKeys: TrustedKeySet) throws -> Int32 {
        guard let license = verdict.license else {
            return VerdictReport.print(verdict, path: path, json: arguments.flag("json"))
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(proofPath, limit: InclusionProof.maximumSize)
        } catch {
            throw ErrorText.commandError(for: error)
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try InclusionProof(json: bytes).verify(license: license, trustedKeys: trustedKeys)
        } catch {
            throw CommandError("\(proofPath): \(error)", exitCode: ExitCode.rejected)
        }
        let summary = "recorded in ledger \(checkpoint.origin) at entry \(license.claims.ledgerIndex) "
            + "of \(checkpoint.treeSize), checkpoint signed by a trusted key"
        if arguments.flag("json") {
            var json = VerdictReport.json(verdict, path: path)
            if case .object(var members) = json {
                members.append(("ledgerProof", .object([
                    ("verified", .bool(true)), ("origin", .string(checkpoint.origin)),
                    ("leafIndex", .integer(license.claims.ledgerIndex)), ("treeSize", .number(String(checkpoint.treeSize))),
                ])))
                json = .object(members)
            }
            Console.out(json.prettyPrinted())
            return VerdictReport.exitCode(for: verdict)
        }
        let code = VerdictReport.print(verdict, path: path, json: false)
        Console.out("ledger proof: \(summary)")
        return code
    }

    private func verifyInstalled(
        store: LicenseStore, trustedKeys: TrustedKeySet, options: VerificationOptions, time: VerificationTime
    ) throws -> Int32 {
        var clock = CheckClock(time: time, stateFile: store.stateFile, clockSkew: options.clockSkew)
        let report = store.check(trustedKeys: trustedKeys, options: options, clock: &clock)
        guard let verdict = report.primary else {
            if let pending = report.entries.first(where: { $0.role == .pending }) {
                return VerdictReport.print(pending.verdict, path: store.path, json: arguments.flag("json"))
            }
            throw CommandError(
                "no license installed in \(store.path); import one with 'vupt-license import FILE'",
                exitCode: ExitCode.inputMissing)
        }
        return VerdictReport.print(verdict, path: store.path, json: arguments.flag("json"))
    }
}

/// Options shared by the commands that check artifacts.
enum KeyOptions {
    /// Returns the compiled-in keys plus any given with `--trust` and `--public-key`.
    static func trustedKeys(_ arguments: ParsedArguments) throws(CommandError) -> TrustedKeySet {
        var keys = TrustedKeySet(CompiledInKeys.trustedKeys())
        for directory in arguments.allValues("trust") {
            for key in try ErrorText.readTrustedKeys(directory: directory) { keys.add(key) }
        }
        for file in arguments.allValues("public-key") {
            keys.add(try ErrorText.readTrustedKey(path: file))
        }
        guard !keys.isEmpty else {
            throw CommandError.usage(
                "no trusted key: this build has no compiled-in vendor key; "
                    + "pass --public-key FILE or --trust DIR with the vendor's k4.public key")
        }
        return keys
    }
}

enum VerificationSettings {
    static func options(_ arguments: ParsedArguments) throws(CommandError) -> VerificationOptions {
        let skew = try arguments.integer("clock-skew", in: 0...VerificationOptions.maximumClockSkew)
        let warnDays = try arguments.integer("warn-days", in: 0...366)
        let installation = arguments.value("installation-id") ?? FileIO.environment("VUPT_INSTALLATION_ID")
        do {
            return try VerificationOptions(
                clockSkew: skew ?? VerificationOptions.defaultClockSkew,
                expiryWarningWindow: warnDays.map { $0 * 86_400 } ?? VerificationOptions.defaultExpiryWarningWindow,
                installationID: installation?.isEmpty == true ? nil : installation)
        } catch {
            throw .usage("\(error)")
        }
    }

    static func time(_ arguments: ParsedArguments) throws(CommandError) -> VerificationTime {
        guard let text = arguments.value("at") else { return .system }
        guard let instant = Timestamp(commandLine: text) else {
            throw .usage("invalid --at '\(text)': expected RFC 3339 such as 2027-01-31T12:00:00Z, or a date such as 2027-01-31")
        }
        return .fixed(instant)
    }
}
