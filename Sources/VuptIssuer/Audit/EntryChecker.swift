import VuptSQLite
import VuptVerifier

/// Checks one entry against its own bytes, its token's signature, and the rows that the
/// ledger derives from it (licenses, revocations, keys, revocation lists).
struct EntryChecker {
    let database: Database
    let keys: TrustedKeySet

    typealias Failure = LedgerAuditor.Failure

    private func edited(_ index: Int64, _ detail: String) -> Failure {
        Failure(problem: AuditProblem(finding: .edited, index: index, detail: detail))
    }

    func check(row: Row, bytes: [UInt8], report: inout AuditReport) throws {
        let index = row.integer(0) ?? -1
        guard let entry = try? JSONValue.parse(bytes) else { throw edited(index, "the entry bytes are not JSON") }
        func field(_ name: String) -> String? {
            if case .string(let text)? = entry[name] { return text }
            return nil
        }
        guard field("kind") == row.text(1), field("recordedAt") == row.text(2), field("operator") == row.text(3) else {
            throw edited(index, "the kind, time or operator columns differ from the entry bytes")
        }
        guard let kind = LedgerEntryKind(rawValue: row.text(1) ?? "") else {
            throw edited(index, "unknown entry kind '\(row.text(1) ?? "")'")
        }

        switch kind {
        case .keyRegistered:
            let rows = try database.query("SELECT key_id, public_key FROM signing_keys WHERE entry_index = ?", [.integer(index)])
            guard let key = rows.first, key.text(0) == field("keyId"), key.text(1) == field("publicKey"),
                let paserk = field("publicKey"), let trusted = try? TrustedKey(name: "", paserk: paserk, source: .compiledIn),
                trusted.keyID == field("keyId")
            else { throw edited(index, "the signing_keys row differs from the key-registered entry") }
        case .licenseMinted, .licenseRenewed:
            try checkLicense(index: index, kind: kind, entry: entry, token: field("token"), report: &report)
        case .licenseRevoked:
            let rows = try database.query("SELECT serial, reason, revoked_at, operator FROM revocations WHERE entry_index = ?", [.integer(index)])
            guard let revocation = rows.first, revocation.text(0) == field("serial"), revocation.text(1) == field("reason"),
                revocation.text(2) == field("recordedAt"), revocation.text(3) == field("operator")
            else { throw edited(index, "the revocations row differs from the license-revoked entry") }
        case .revocationListIssued:
            guard let token = field("token") else { throw edited(index, "the entry has no token") }
            let verified: VerifiedRevocationList
            do {
                verified = try ArtifactVerifier.verifyRevocationList(token: token, trustedKeys: keys)
            } catch {
                throw Failure(problem: AuditProblem(finding: .badSignature, index: index, detail: "revocation list: \(error)"))
            }
            let rows = try database.query("SELECT number, token FROM revocation_lists WHERE entry_index = ?", [.integer(index)])
            guard let list = rows.first, list.integer(0) == verified.list.number, list.text(1) == token else {
                throw edited(index, "the revocation_lists row differs from the entry")
            }
        }
    }

    private func checkLicense(
        index: Int64, kind: LedgerEntryKind, entry: JSONValue, token: String?, report: inout AuditReport
    ) throws {
        guard let token else { throw edited(index, "the entry has no token") }
        let license: VerifiedLicense
        do {
            license = try ArtifactVerifier.verifyLicense(token: token, trustedKeys: keys)
        } catch {
            throw Failure(problem: AuditProblem(finding: .badSignature, index: index, detail: "license token: \(error)"))
        }
        let claims = license.claims
        guard case .string(claims.serial)? = entry["serial"], case .string(claims.customerID)? = entry["customer"],
            claims.ledgerIndex == index, (claims.sequence == 1) == (kind == .licenseMinted)
        else { throw edited(index, "the entry's serial, customer or index differs from its signed token") }

        let rows = try database.query(
            """
            SELECT serial, subscription_id, sequence, supersedes, customer_id, customer_name, tier, seats, features,
                installation_id, issued_at, not_before, not_after, grace_days, key_id, token
            FROM licenses WHERE entry_index = ?
            """, [.integer(index)])
        guard let row = rows.first else { throw edited(index, "the licenses row of \(claims.serial) is missing") }
        let features = String(decoding: JSONValue.array(claims.features.map { .string($0) }).serialized(), as: UTF8.self)
        let expected: [SQLiteValue] = [
            .text(claims.serial), .text(claims.subscriptionID), .integer(claims.sequence),
            claims.supersedes.map { .text($0) } ?? .null, .text(claims.customerID), .text(claims.customerName),
            .text(claims.tier.rawValue), .integer(claims.seats), .text(features),
            claims.installationID.map { .text($0) } ?? .null, .text(claims.issuedAt.rfc3339),
            .text(claims.notBefore.rfc3339), .text(claims.notAfter.rfc3339), .integer(claims.gracePeriodDays),
            .text(license.key.keyID), .text(token),
        ]
        let columns = ["serial", "subscription_id", "sequence", "supersedes", "customer_id", "customer_name", "tier",
                       "seats", "features", "installation_id", "issued_at", "not_before", "not_after", "grace_days",
                       "key_id", "token"]
        for (offset, value) in expected.enumerated() where row[offset] != value {
            throw edited(index, "licenses.\(columns[offset]) of \(claims.serial) differs from the signed token")
        }
        report.licenses += 1
    }
}
