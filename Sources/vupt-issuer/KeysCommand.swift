import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer keys generate`.
enum KeysCommand {
    static let name = "vupt-issuer keys generate"
    static let help = """
        Usage: vupt-issuer keys generate --out DIR [--name NAME] [--force]
                                         [--passphrase-file FILE]

        Create an Ed25519 signing key pair:
          DIR/NAME.pub   public key (PASERK k4.public), for customers and auditors
          DIR/NAME.key   secret key encrypted with the passphrase (PASERK k4.secret-pw:
                         Argon2id with 256 MiB and 3 passes, XChaCha20, BLAKE2b-MAC),
                         mode 0600 in a folder with mode 0700

        The passphrase comes from VUPT_ISSUER_PASSPHRASE, from the first line of
        --passphrase-file, or is asked twice on the terminal without echo. It is never
        taken from the command line. An empty passphrase is refused.

        Options:
          --out DIR               Folder for the key files (created with mode 0700)
          --name NAME             Base name of the files (default: vupt-signing)
          --force                 Replace existing key files
          --passphrase-file FILE  Read the passphrase from FILE
          -h, --help              Show this help
        """
    static let options: [OptionSpec] = [
        .value("out", "DIR"), .value("name", "NAME"), .flag("force"), .value("passphrase-file", "FILE"),
    ]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let subcommand = arguments.first else {
            throw CommandError.usage("missing subcommand; usage: vupt-issuer keys generate --out DIR")
        }
        if subcommand == "--help" || subcommand == "-h" {
            Console.out(help)
            return ExitCode.success
        }
        guard subcommand == "generate" else {
            throw CommandError.usage("unknown subcommand 'keys \(subcommand)'; run '\(name) --help'")
        }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), options: options, command: name)
        if parsed.helpRequested {
            Console.out(help)
            return ExitCode.success
        }
        try parsed.requirePositionals([], command: name)
        guard let directory = parsed.value("out") else { throw CommandError.usage("missing --out DIR; see '\(name) --help'") }
        let keyName = parsed.value("name") ?? "vupt-signing"
        guard !keyName.isEmpty, !keyName.contains("/"), !keyName.hasPrefix(".") else {
            throw CommandError.usage("invalid --name '\(keyName)': use a plain file name without '/'")
        }
        let force = parsed.flag("force")
        let paths = SigningKeyFile.paths(directory: directory, name: keyName)
        if !force {
            for path in [paths.secretKey, paths.publicKey] where FileIO.exists(path) {
                throw CommandError("\(path) already exists; pass --force to replace it", exitCode: ExitCode.cannotCreate)
            }
        }

        let passphrase = try Passphrase.obtain(file: parsed.value("passphrase-file"), confirm: true)
        let (written, keyID) = try SigningKeyFile.generate(
            directory: directory, name: keyName, passphrase: passphrase, force: force)
        Console.out("secret key: \(written.secretKey) (mode 0600, keep it offline)")
        Console.out("public key: \(written.publicKey)")
        Console.out("key id:     \(keyID)")
        return ExitCode.success
    }
}
