import VuptSQLite
import VuptSodium
import VuptVerifier

/// A license as the ledger records it.
public struct IssuedLicense: Equatable, Sendable {
    public let serial: String
    public let entryIndex: Int64
    public let claims: LicenseClaims
    public let keyID: String
    public let operatorName: String
    public let token: String
}

extension Ledger {
    static let licenseColumns = """
        serial, entry_index, token, key_id, operator
        """

    /// Issues a new license: registers the key when new, allocates the serial, signs and
    /// records it in one transaction.
    ///
    /// `beforeCommit` runs inside the transaction after the row is written; throwing
    /// from it rolls everything back. The caller writes the license file only after this
    /// returns, so a file never exists for a license the ledger lacks.
    public func mint(
        _ request: LicenseRequest, key: Ed25519.SecretKey, operatorName: String, now: Timestamp,
        beforeCommit: (IssuedLicense) throws -> Void = { _ in }
    ) throws -> IssuedLicense {
        try mintBatch([request], key: key, operatorName: operatorName, now: now, afterEach: { issued, _ in
            try beforeCommit(issued)
        })[0]
    }

    /// Issues several new licenses in one transaction: all are recorded or none, and one
    /// checkpoint covers them. `afterEach` runs inside the transaction after each record;
    /// throwing from it rolls back the whole batch.
    public func mintBatch(
        _ requests: [LicenseRequest], key: Ed25519.SecretKey, operatorName: String, now: Timestamp,
        afterEach: (IssuedLicense, Int) throws -> Void = { _, _ in }
    ) throws -> [IssuedLicense] {
        var prepared: [(request: LicenseRequest, features: [String], notBefore: Timestamp, notAfter: Timestamp)] = []
        for request in requests {
            let features = try request.validatedFeatures()
            let notBefore = request.notBefore ?? now
            let notAfter = LicenseTerm.end(start: notBefore, months: request.months)
            for time in [notBefore, notAfter, notAfter.adding(seconds: request.gracePeriodDays * 86_400)]
            where !Timestamp.supportedRange.contains(time) {
                throw MintError.timeOutOfRange(time)
            }
            prepared.append((request, features, notBefore, notAfter))
        }

        return try write(key: key, now: now) {
            try registerKeyIfNeeded(key.publicKey, recordedAt: now, operatorName: operatorName)
            var serialNumber = try database.query("SELECT max(serial_number) FROM licenses").first?.integer(0) ?? 0
            var issued: [IssuedLicense] = []
            issued.reserveCapacity(prepared.count)
            for item in prepared {
                serialNumber += 1
                let request = item.request
                let claims = LicenseClaims(
                    issuer: LicenseSerial.issuer, customerID: request.customerID,
                    serial: LicenseSerial.format(serialNumber), issuedAt: now, notBefore: item.notBefore,
                    notAfter: item.notAfter, customerName: request.customerName, tier: request.tier,
                    features: item.features, seats: request.seats, gracePeriodDays: request.gracePeriodDays,
                    subscriptionID: LicenseSerial.subscription(serialNumber), sequence: 1, supersedes: nil,
                    installationID: request.installationID, ledgerIndex: try nextEntryIndex())
                let license = try ArtifactSigner.signLicense(
                    claims, key: key, check: Ledger.selfCheck(position: issued.count, of: prepared.count))
                let record = try record(
                    license, serialNumber: serialNumber, kind: .licenseMinted, operatorName: operatorName, now: now)
                issued.append(record)
                try afterEach(record, issued.count)
            }
            return issued
        }
    }

    /// Returns the check for the license at `position` (from 0) of a batch of `count`. The
    /// first and the last are verified with the public key, so a key damaged in memory
    /// cannot sign a whole batch wrongly. The others are signed twice and compared.
    static func selfCheck(position: Int, of count: Int) -> SignatureSelfCheck {
        position == 0 || position == count - 1 ? .verify : .signAgain
    }

    /// Writes the entry and the license row for a signed license.
    ///
    /// - Parameter entry: the license's issuance entry when it was encoded in advance, as
    ///   `LedgerEntry.issuance(of:kind:recordedAt:operatorName:)` returns it.
    func record(
        _ license: VerifiedLicense, serialNumber: Int64, kind: LedgerEntryKind, operatorName: String, now: Timestamp,
        entry encoded: LedgerEntry? = nil
    ) throws -> IssuedLicense {
        let claims = license.claims
        let entry = try append(
            encoded ?? LedgerEntry.issuance(of: license, kind: kind, recordedAt: now, operatorName: operatorName))
        let featuresJSON = String(decoding: JSONValue.array(claims.features.map { .string($0) }).serialized(), as: UTF8.self)
        try database.run(
            """
            INSERT INTO licenses (serial, serial_number, entry_index, subscription_id, sequence, supersedes,
                customer_id, customer_name, tier, seats, features, installation_id, issued_at, not_before,
                not_after, grace_days, key_id, operator, token)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(claims.serial), .integer(serialNumber), .integer(entry.index), .text(claims.subscriptionID),
                .integer(claims.sequence), claims.supersedes.map { .text($0) } ?? .null, .text(claims.customerID),
                .text(claims.customerName), .text(claims.tier.rawValue), .integer(claims.seats), .text(featuresJSON),
                claims.installationID.map { .text($0) } ?? .null, .text(claims.issuedAt.rfc3339),
                .text(claims.notBefore.rfc3339), .text(claims.notAfter.rfc3339), .integer(claims.gracePeriodDays),
                .text(license.key.keyID), .text(operatorName), .text(license.token),
            ])
        return IssuedLicense(
            serial: claims.serial, entryIndex: entry.index, claims: claims, keyID: license.key.keyID,
            operatorName: operatorName, token: license.token)
    }

    /// Looks a license up by serial and re-verifies its stored token with the registered key.
    public func license(serial: String) throws -> IssuedLicense {
        try license(serial: serial, keys: trustedSigningKeys())
    }

    func license(serial: String, keys: TrustedKeySet) throws -> IssuedLicense {
        let rows = try database.query(
            "SELECT \(Ledger.licenseColumns) FROM licenses WHERE serial = ?", [.text(serial)])
        guard let row = rows.first else { throw LedgerError.licenseNotFound(serial: serial) }
        return try issuedLicense(from: row, keys: keys)
    }

    /// Returns every license in serial order.
    public func licenses() throws -> [IssuedLicense] {
        try database.query("SELECT \(Ledger.licenseColumns) FROM licenses ORDER BY serial_number").map(issuedLicense)
    }

    func issuedLicense(from row: Row) throws -> IssuedLicense {
        try issuedLicense(from: row, keys: trustedSigningKeys())
    }

    /// Decodes a licenses row by verifying its stored token with the registered keys.
    func issuedLicense(from row: Row, keys: TrustedKeySet) throws -> IssuedLicense {
        let token = row.text(2) ?? ""
        let keyID = row.text(3) ?? ""
        let verified = try ArtifactVerifier.verifyLicense(token: token, trustedKeys: keys)
        return IssuedLicense(
            serial: row.text(0) ?? "", entryIndex: row.integer(1) ?? -1, claims: verified.claims, keyID: keyID,
            operatorName: row.text(4) ?? "", token: token)
    }
}

/// Serial and subscription id formats.
public enum LicenseSerial {
    /// The `iss` claim of every license this toolkit issues.
    public static let issuer = "vupt"

    /// `VUPT-` and the serial number with at least eight digits, for example `VUPT-00000042`.
    public static func format(_ number: Int64) -> String { "VUPT-" + zeroPadded(number, width: 8) }

    /// Returns the subscription id a new license starts: `SUB-` and its serial number.
    public static func subscription(_ number: Int64) -> String { "SUB-" + zeroPadded(number, width: 8) }

    static func zeroPadded(_ number: Int64, width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Term arithmetic for new licenses.
public enum LicenseTerm {
    /// `start` plus `months` calendar months in UTC at the same time of day, the day
    /// clamped to the end of a shorter month: 2024-02-29 + 12 months = 2025-02-28,
    /// 2025-01-31 + 1 month = 2025-02-28.
    public static func end(start: Timestamp, months: Int) -> Timestamp {
        start.addingMonths(months)
    }
}
