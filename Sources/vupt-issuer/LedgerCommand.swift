import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer ledger …`.
enum LedgerCommand {
    static let help = """
        Usage: vupt-issuer ledger list [--ledger FILE] [--json]

        List every license in the ledger, oldest first: serial, customer, tier, seats,
        validity, ledger entry and operator. Reading needs no key and works on a
        read-only copy.

        Options:
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          --json          Print a JSON array
          -h, --help      Show this help
        """
    static let options: [OptionSpec] = [.value("ledger", "FILE"), .flag("json")]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let subcommand = arguments.first else {
            throw CommandError.usage("missing subcommand; usage: vupt-issuer ledger list")
        }
        if subcommand == "--help" || subcommand == "-h" {
            Console.out(help)
            return ExitCode.success
        }
        guard subcommand == "list" else {
            throw CommandError.usage("unknown subcommand 'ledger \(subcommand)'; run 'vupt-issuer ledger --help'")
        }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), options: options, command: "vupt-issuer ledger list")
        if parsed.helpRequested {
            Console.out(help)
            return ExitCode.success
        }
        try parsed.requirePositionals([], command: "vupt-issuer ledger list")
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)
        let licenses = try ledger.licenses()
        if parsed.flag("json") {
            Console.out(JSONValue.array(licenses.map(json)).prettyPrinted())
            return ExitCode.success
        }
        Console.out("serial         customer             tier        seats  not before            not after             entry  operator")
        for license in licenses {
            let claims = license.claims
            Console.out(
                [pad(license.serial, 14), pad(claims.customerID, 20), pad(claims.tier.rawValue, 11),
                 pad(String(claims.seats), 6), pad(claims.notBefore.rfc3339, 21), pad(claims.notAfter.rfc3339, 21),
                 pad(String(license.entryIndex), 6), license.operatorName].joined(separator: " "))
        }
        return ExitCode.success
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func json(_ license: IssuedLicense) -> JSONValue {
        let claims = license.claims
        return .object([
            ("serial", .string(license.serial)),
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
            ("keyId", .string(license.keyID)),
            ("operator", .string(license.operatorName)),
        ])
    }
}
