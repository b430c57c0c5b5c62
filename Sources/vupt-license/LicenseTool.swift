import VuptCommandLine
import VuptVerifier

/// `vupt-license`: the customer-side tool.
enum LicenseTool {
    static let help = """
        vupt-license: verify Vupt licenses offline

        Usage: vupt-license <command> [options]

        Commands:
          verify [FILE]   Verify a license file, or the installed license
          import PATH...  Install license files and revocation lists (files or folders)
          status          Show installed licenses, pending renewals and the store

        Run 'vupt-license <command> --help' for a command's options.
        Exit codes: 0 valid, 1 not valid at this time, 2 artifact rejected, 64 usage error,
        66 input missing, 73 cannot create output, 74 I/O error, 77 permission denied.
        """

    static func main(_ arguments: [String]) throws -> Int32 {
        guard let command = arguments.first else {
            Console.error(help)
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "--help", "-h", "help":
            Console.out(help)
            return ExitCode.success
        case "verify":
            return try VerifyCommand(rest).run()
        case "import":
            return try ImportCommand(rest).run()
        case "status":
            return try StatusCommand(rest).run()
        default:
            throw CommandError.usage("unknown command '\(command)'; run 'vupt-license --help' for the commands")
        }
    }
}
