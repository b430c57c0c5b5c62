import VuptCommandLine
import VuptIssuer
import VuptSQLite
import VuptVerifier

/// `vupt-issuer`: the vendor-side and auditor tool.
enum IssuerTool {
    static let help = """
        vupt-issuer: issue Vupt licenses and keep the issuance ledger

        Usage: vupt-issuer <command> [options]

        Commands:
          keys generate   Create the Ed25519 signing key pair
          mint            Issue a license and record it in the ledger
          renew           Renew one license, or a batch in one transaction
          due             List licenses that expire soon without a renewal
          revoke SERIAL   Record a revocation in the ledger
          revocations     Mint the current signed revocation list
          export SERIAL   Write an issued license again from the ledger
          ledger ...      Audit the ledger: list, show, export, verify, checkpoint,
                          proof, consistency

        Run 'vupt-issuer <command> --help' for a command's options.
        Environment: VUPT_ISSUER_PASSPHRASE (key passphrase), VUPT_LEDGER (ledger file),
        VUPT_OPERATOR (name recorded with each issuance).
        Exit codes: 0 success, 2 artifact rejected or ledger damaged, 64 usage error,
        65 refused by the ledger (superseded, revoked or already revoked), 66 input missing,
        73 cannot create output, 74 I/O error, 75 ledger busy, 77 permission denied or
        wrong passphrase.
        """

    static func main(_ arguments: [String]) throws -> Int32 {
        guard let command = arguments.first else {
            Console.error(help)
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "--help", "-h", "help":
                Console.out(help)
                return ExitCode.success
            case "keys":
                return try KeysCommand.run(rest)
            case "mint":
                return try MintCommand(rest).run()
            case "renew":
                return try RenewCommand(rest).run()
            case "due":
                return try DueCommand(rest).run()
            case "revoke":
                return try RevokeCommand.run(rest)
            case "revocations":
                return try RevocationsCommand.run(rest)
            case "export":
                return try ExportCommand(rest).run()
            case "ledger":
                return try LedgerCommand.run(rest)
            default:
                throw CommandError.usage("unknown command '\(command)'; run 'vupt-issuer --help' for the commands")
            }
        } catch let error as KeyFileError {
            throw IssuerErrors.commandError(for: error)
        } catch let error as LedgerError {
            throw IssuerErrors.commandError(for: error)
        } catch let error as MintError {
            throw CommandError("\(error)", exitCode: ExitCode.usage)
        } catch let error as RenewalError {
            if case .duplicate = error { throw CommandError("\(error)", exitCode: ExitCode.usage) }
            throw CommandError("\(error)", exitCode: ExitCode.refused)
        } catch let error as SQLiteError {
            throw IssuerErrors.commandError(for: LedgerError.sqlite(error))
        }
    }
}

enum IssuerErrors {
    static func commandError(for error: KeyFileError) -> CommandError {
        switch error {
        case .wrongPassphrase: return CommandError("\(error); nothing was signed or written", exitCode: ExitCode.permissionDenied)
        case .emptyPassphrase: return CommandError("\(error)", exitCode: ExitCode.usage)
        case .alreadyExists: return CommandError("\(error)", exitCode: ExitCode.cannotCreate)
        case .file(let fileError): return ErrorText.commandError(for: fileError)
        case .malformedKeyFile, .weakParameters, .keyMismatch: return CommandError("\(error)", exitCode: ExitCode.rejected)
        }
    }

    static func commandError(for error: LedgerError) -> CommandError {
        switch error {
        case .busy: return CommandError("\(error)", exitCode: ExitCode.ledgerBusy)
        case .cannotOpen, .licenseNotFound: return CommandError("\(error)", exitCode: ExitCode.inputMissing)
        case .readOnly: return CommandError("\(error)", exitCode: ExitCode.permissionDenied)
        case .notALedger, .newerSchema, .damaged: return CommandError("\(error)", exitCode: ExitCode.rejected)
        case .sqlite: return CommandError("\(error)", exitCode: ExitCode.ioError)
        }
    }

    /// Returns the ledger path: `--ledger`, else `VUPT_LEDGER`, else `vupt-ledger.sqlite` here.
    static func ledgerPath(_ arguments: ParsedArguments) -> String {
        if let path = arguments.value("ledger") { return path }
        if let path = FileIO.environment("VUPT_LEDGER"), !path.isEmpty { return path }
        return Ledger.defaultFileName
    }

    /// `--at TIME` or the system clock.
    static func now(_ arguments: ParsedArguments) throws(CommandError) -> Timestamp {
        guard let text = arguments.value("at") else { return SystemClock.now() }
        guard let instant = Timestamp(commandLine: text) else {
            throw .usage("invalid --at '\(text)': expected RFC 3339 such as 2027-01-31T12:00:00Z")
        }
        // A future issue time becomes the customers' last trusted time, so their hosts would
        // report a clock rollback until the real clock catches up.
        let real = SystemClock.now()
        if instant.seconds(since: real) > VerificationOptions.defaultClockSkew {
            Console.error(
                "vupt-issuer: warning: --at \(instant.rfc3339) is later than this host's clock (\(real.rfc3339)); "
                    + "customers who verify before then will see a clock-rollback warning")
        }
        return instant
    }

    /// Fails early when `path` cannot be created, before anything is recorded.
    static func checkOutputWritable(_ path: String, force: Bool) throws(CommandError) {
        if FileIO.isDirectory(path) {
            throw CommandError("\(path) is a folder; give a file path for --out", exitCode: ExitCode.cannotCreate)
        }
        if !force, FileIO.exists(path) {
            throw CommandError("\(path) already exists; choose another path or pass --force", exitCode: ExitCode.cannotCreate)
        }
        let folder = FileIO.directoryName(of: path)
        guard FileIO.isDirectory(folder) else {
            throw CommandError("cannot create \(path): folder \(folder) does not exist", exitCode: ExitCode.cannotCreate)
        }
        guard FileIO.isWritableDirectory(folder) else {
            throw CommandError("cannot create \(path): folder \(folder) is not writable", exitCode: ExitCode.cannotCreate)
        }
    }
}
