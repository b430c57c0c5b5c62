import VuptCommandLine
import VuptVerifier

/// Prints a verdict for people or as JSON and returns the exit code.
enum VerdictReport {
    static func exitCode(for verdict: LicenseVerdict) -> Int32 {
        if verdict.status == .invalid { return ExitCode.rejected }
        return verdict.status.permitsUse ? ExitCode.success : ExitCode.notValid
    }

    static func print(_ verdict: LicenseVerdict, path: String, json: Bool) -> Int32 {
        let code = exitCode(for: verdict)
        if json {
            Console.out(self.json(verdict, path: path).prettyPrinted())
            return code
        }
        if verdict.status == .invalid {
            for warning in verdict.warnings { Console.error("vupt-license: warning: \(warning)") }
            Console.error("vupt-license: error: \(path): \(verdict.reason ?? "invalid")")
            return code
        }
        Console.out(text(verdict))
        for warning in verdict.warnings { Console.error("vupt-license: warning: \(warning)") }
        return code
    }

    static func text(_ verdict: LicenseVerdict) -> String {
        guard let license = verdict.license else { return "verdict: \(verdict.status.rawValue)" }
        let claims = license.claims
        var lines = [
            "verdict:      \(verdict.status.rawValue)" + (verdict.reason.map { " (\($0))" } ?? ""),
            "serial:       \(claims.serial)",
            "customer:     \(claims.customerName) (\(claims.customerID))",
            "tier:         \(claims.tier.rawValue)",
            "features:     \(claims.features.joined(separator: ", "))",
            "seats:        \(claims.seats)",
            "valid from:   \(claims.notBefore.rfc3339)",
            "valid until:  \(claims.notAfter.rfc3339)" + daysLeft(verdict),
            "grace ends:   \(claims.graceEnds.rfc3339) (\(counted(claims.gracePeriodDays, "day")))",
        ]
        if let installation = claims.installationID { lines.append("installation: \(installation)") }
        lines.append("subscription: \(claims.subscriptionID), sequence \(claims.sequence)")
        lines.append("signed by:    \(license.key.keyID) (\(license.key.source.label))")
        lines.append("evaluated at: \(verdict.evaluatedAt.rfc3339)")
        if let rollback = verdict.clockRollback {
            lines.append(
                "clock:        ROLLBACK: host clock \(rollback.hostTime.rfc3339) is behind trusted time "
                    + "\(rollback.trustedTime.rfc3339)")
        }
        return lines.joined(separator: "\n")
    }

    /// Returns " (N days left)" or " (expired N days ago)", or "" when the verdict has no days.
    static func daysLeft(_ verdict: LicenseVerdict) -> String {
        guard let days = verdict.daysRemaining else { return "" }
        if days >= 0 { return " (\(counted(days, "day")) left)" }
        return " (expired \(counted(-days, "day")) ago)"
    }

    static func json(_ verdict: LicenseVerdict, path: String) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("file", .string(path)),
            ("verdict", .string(verdict.status.rawValue)),
            ("reason", .optionalString(verdict.reason)),
        ]
        if let claims = verdict.license?.claims, let key = verdict.license?.key {
            members += [
                ("serial", .string(claims.serial)),
                ("customer", .string(claims.customerID)),
                ("customerName", .string(claims.customerName)),
                ("tier", .string(claims.tier.rawValue)),
                ("features", .array(claims.features.map { .string($0) })),
                ("seats", .integer(claims.seats)),
                ("issuedAt", .string(claims.issuedAt.rfc3339)),
                ("notBefore", .string(claims.notBefore.rfc3339)),
                ("notAfter", .string(claims.notAfter.rfc3339)),
                ("graceEnds", .string(claims.graceEnds.rfc3339)),
                ("subscription", .string(claims.subscriptionID)),
                ("sequence", .integer(claims.sequence)),
                ("supersedes", .optionalString(claims.supersedes)),
                ("installation", .optionalString(claims.installationID)),
                ("keyId", .string(key.keyID)),
                ("keySource", .string(key.source.label)),
            ]
        }
        members += [
            ("evaluatedAt", .string(verdict.evaluatedAt.rfc3339)),
            ("hostTime", .optionalString(verdict.hostTime?.rfc3339)),
            ("clockRollback", .object([
                ("detected", .bool(verdict.clockRollback != nil)),
                ("hostTime", .optionalString(verdict.clockRollback?.hostTime.rfc3339)),
                ("trustedTime", .optionalString(verdict.clockRollback?.trustedTime.rfc3339)),
            ])),
            ("daysRemaining", verdict.daysRemaining.map { .integer($0) } ?? .null),
            ("warnings", .array(verdict.warnings.map { .string($0) })),
        ]
        return .object(members)
    }
}
