import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer due`.
struct DueCommand {
    static let name = "vupt-issuer due"
    static let help = """
        Usage: vupt-issuer due --within DAYS [--json | --csv] [--ledger FILE] [--at TIME]

        List licenses whose expiry falls within DAYS from now (already expired ones
        included) and that have no renewal yet and are not revoked, soonest first: serial,
        customer, tier, seats, expiry and the account manager who issued it.

        Options:
          --within DAYS   Window in days, 0 to 3660
          --json          Print a JSON array
          --csv           Print CSV with a header row
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          --at TIME       Evaluate the window from TIME instead of now
          -h, --help      Show this help
        """
    static let options: [OptionSpec] = [
        .value("within", "DAYS"), .flag("json"), .flag("csv"), .value("ledger", "FILE"), .value("at", "TIME"),
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
        guard let days = try arguments.integer("within", in: 0...3660) else {
            throw CommandError.usage("missing --within DAYS; see '\(Self.name) --help'")
        }
        if arguments.flag("json") && arguments.flag("csv") { throw CommandError.usage("give --json or --csv, not both") }
        let now = try IssuerErrors.now(arguments)
        let due = try Ledger(path: IssuerErrors.ledgerPath(arguments), readOnly: true).due(within: days, now: now)

        if arguments.flag("json") {
            Console.out(JSONValue.array(due.map { license in
                let claims = license.claims
                return .object([
                    ("serial", .string(license.serial)), ("customer", .string(claims.customerID)),
                    ("customerName", .string(claims.customerName)), ("tier", .string(claims.tier.rawValue)),
                    ("seats", .integer(claims.seats)), ("notAfter", .string(claims.notAfter.rfc3339)),
                    ("accountManager", .string(license.operatorName)),
                ])
            }).prettyPrinted())
        } else if arguments.flag("csv") {
            Console.out("serial,customer,customer_name,tier,seats,not_after,account_manager")
            for license in due {
                let claims = license.claims
                Console.out([license.serial, claims.customerID, CSV.field(claims.customerName), claims.tier.rawValue,
                             String(claims.seats), claims.notAfter.rfc3339, CSV.field(license.operatorName)]
                    .joined(separator: ","))
            }
        } else {
            if due.isEmpty { Console.out("no license expires within \(counted(days, "day")) of \(now.rfc3339) without a renewal") }
            for license in due {
                let claims = license.claims
                Console.out("\(license.serial)  \(claims.customerName) (\(claims.customerID)), \(claims.tier.rawValue), "
                    + "\(counted(claims.seats, "seat")), \(claims.notAfter <= now ? "expired" : "expires") "
                    + "\(claims.notAfter.rfc3339), account manager \(license.operatorName)")
            }
        }
        return ExitCode.success
    }
}

enum CSV {
    /// Quotes a field when it contains a comma, quote or line break (RFC 4180).
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
