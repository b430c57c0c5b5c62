import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer revoke` and `vupt-issuer revocations`.
enum RevokeCommand {
    static let name = "vupt-issuer revoke"
    static let help = """
        Usage: vupt-issuer revoke SERIAL --reason TEXT --key FILE [--ledger FILE]

        Record the revocation of a license in the ledger. The license stays in the
        ledger; customers learn of the revocation from the next revocation list
        ('vupt-issuer revocations'). The key signs the ledger checkpoint that follows
        the write.

        Options:
          --reason TEXT           Why the license is revoked (shown to the customer)
          --key FILE              Secret key file (k4.secret-pw)
          --ledger FILE           Ledger file (default: $VUPT_LEDGER, else
                                  ./vupt-ledger.sqlite)
          --passphrase-file FILE  Read the key passphrase from FILE
          --at TIME               Revocation time instead of now, for tests
          -h, --help              Show this help
        """
    static let options: [OptionSpec] = [
        .value("reason", "TEXT"), .value("key", "FILE"), .value("ledger", "FILE"), .value("passphrase-file", "FILE"),
        .value("at", "TIME"),
    ]

    static func run(_ rawArguments: [String]) throws -> Int32 {
        let arguments = try ParsedArguments(rawArguments, options: options, command: name)
        if arguments.helpRequested {
            Console.out(help)
            return ExitCode.success
        }
        try arguments.requirePositionals(["SERIAL"], command: name)
        let reason = try arguments.required("reason", command: name)
        let keyPath = try arguments.required("key", command: name)
        let now = try IssuerErrors.now(arguments)
        let passphrase = try Passphrase.obtain(file: arguments.value("passphrase-file"), confirm: false)
        let key = try SigningKeyFile.unlock(path: keyPath, passphrase: passphrase)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(arguments))
        let entry = try ledger.revoke(
            arguments.positionals[0], reason: reason, key: key, operatorName: currentOperatorName(), now: now)
        Console.out("revoked \(arguments.positionals[0]) at \(now.rfc3339) (ledger entry \(entry.index))")
        Console.out("publish it with: vupt-issuer revocations --key FILE --out FILE")
        return ExitCode.success
    }
}

enum RevocationsCommand {
    static let name = "vupt-issuer revocations"
    static let help = """
        Usage: vupt-issuer revocations --key FILE --out FILE [--ledger FILE] [--force]

        Mint the current revocation list: every revocation in the ledger, signed as a
        PASETO v4.public token with the domain tag vupt:revocation-list:v1 and numbered
        one above the previous list. Customers install it with 'vupt-license import';
        an older list never replaces a newer one.

        Options:
          --key FILE              Secret key file (k4.secret-pw)
          --out FILE              Revocation list file to write (.rvl)
          --force                 Replace FILE if it exists
          --ledger FILE           Ledger file (default: $VUPT_LEDGER, else
                                  ./vupt-ledger.sqlite)
          --passphrase-file FILE  Read the key passphrase from FILE
          --at TIME               Issue time instead of now, for tests
          -h, --help              Show this help
        """
    static let options: [OptionSpec] = [
        .value("key", "FILE"), .value("out", "FILE"), .flag("force"), .value("ledger", "FILE"),
        .value("passphrase-file", "FILE"), .value("at", "TIME"),
    ]

    static func run(_ rawArguments: [String]) throws -> Int32 {
        let arguments = try ParsedArguments(rawArguments, options: options, command: name)
        if arguments.helpRequested {
            Console.out(help)
            return ExitCode.success
        }
        try arguments.requirePositionals([], command: name)
        let keyPath = try arguments.required("key", command: name)
        let outPath = try arguments.required("out", command: name)
        let force = arguments.flag("force")
        try IssuerErrors.checkOutputWritable(outPath, force: force)
        let now = try IssuerErrors.now(arguments)
        let passphrase = try Passphrase.obtain(file: arguments.value("passphrase-file"), confirm: false)
        let key = try SigningKeyFile.unlock(path: keyPath, passphrase: passphrase)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(arguments))
        let list = try ledger.mintRevocationList(key: key, operatorName: currentOperatorName(), now: now)
        let text = ArmoredFile.armor(token: list.token, kind: .revocationList, informationalLines: [
            "Revocation list \(list.list.number), issued \(list.list.issuedAt.rfc3339)",
            "Revoked serials: \(list.list.entries.map(\.serial).joined(separator: ", "))",
        ])
        do {
            try FileIO.writeAtomically(outPath, bytes: Array(text.utf8), mode: 0o644, overwrite: force)
        } catch {
            throw CommandError(
                "revocation list \(list.list.number) is recorded in the ledger, but \(error); mint the next list",
                exitCode: ExitCode.cannotCreate)
        }
        Console.out("revocation list \(list.list.number) with \(counted(list.list.entries.count, "serial")) written to \(outPath)")
        return ExitCode.success
    }
}
