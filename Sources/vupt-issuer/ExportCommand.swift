import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer export SERIAL`.
struct ExportCommand {
    static let name = "vupt-issuer export"
    static let help = """
        Usage: vupt-issuer export SERIAL --out FILE [--ledger FILE] [--force]

        Write an issued license again from the ledger, for example when the USB stick
        that carried it was lost. The token is the one recorded at issuance; nothing is
        signed again and no key is needed.

        Options:
          --out FILE      License file to write
          --force         Replace FILE if it exists
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help      Show this help
        """
    static let options: [OptionSpec] = [.value("out", "FILE"), .flag("force"), .value("ledger", "FILE")]

    let arguments: ParsedArguments

    init(_ rawArguments: [String]) throws(CommandError) {
        arguments = try ParsedArguments(rawArguments, options: Self.options, command: Self.name)
    }

    func run() throws -> Int32 {
        if arguments.helpRequested {
            Console.out(Self.help)
            return ExitCode.success
        }
        try arguments.requirePositionals(["SERIAL"], command: Self.name)
        guard let outPath = arguments.value("out") else { throw CommandError.usage("missing --out FILE; see '\(Self.name) --help'") }
        let force = arguments.flag("force")
        try IssuerErrors.checkOutputWritable(outPath, force: force)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(arguments), readOnly: true)
        let issued = try ledger.license(serial: arguments.positionals[0])
        try LicenseFileWriter.write(issued, to: outPath, force: force)
        Console.out("exported \(issued.serial) to \(outPath)")
        return ExitCode.success
    }
}
