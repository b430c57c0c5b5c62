import VuptSQLite
import VuptSodium
import VuptVerifier

/// An entry's RFC 6962 leaf hash, held inline. The workers compute one per entry, and a
/// heap value that the checking thread frees later would take the worker's allocator lock.
struct LeafHash: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Hashes entry bytes.
    init(of bytes: UnsafeRawBufferPointer) {
        withUnsafeMutableBytes(of: &words) { SHA256.hash(prefix: 0x00, bytes, into: $0) }
    }

    init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { LeafHash(of: $0) }
    }

    var bytes: [UInt8] {
        withUnsafeBytes(of: words) { Array($0) }
    }
}

/// The work on one entry that needs no database: its leaf hash and, unless
/// `CanonicalLicenseEntry` proved the entry, its parsed bytes and its token's signature.
/// Batches of these are computed on all cores.
struct EntryPrecheck: Sendable {
    /// The result of comparing a license entry's `licenses` row with its signed token.
    enum LicenseRowCheck: Sendable, Equatable {
        case matches
        case missing
        /// The first column whose value differs, and what it was compared with.
        case differs(column: String, from: String)
    }

    /// The parsed entry and token that the full check reads. It is a class so that handing
    /// results between threads and arrays copies a reference, not the parsed tree.
    final class Parsed: Sendable {
        let entry: JSONValue?
        let license: Result<VerifiedLicense, ArtifactError>?
        let revocationList: Result<VerifiedRevocationList, ArtifactError>?
        /// Set for license entries whose token verified.
        let licenseRow: LicenseRowCheck?

        init(
            entry: JSONValue?, license: Result<VerifiedLicense, ArtifactError>?,
            revocationList: Result<VerifiedRevocationList, ArtifactError>?, licenseRow: LicenseRowCheck?
        ) {
            self.entry = entry
            self.license = license
            self.revocationList = revocationList
            self.licenseRow = licenseRow
        }
    }

    let leafHash: LeafHash
    /// Nil when `CanonicalLicenseEntry` proved the entry, its token and its `licenses` row.
    let parsed: Parsed?

    /// True when `CanonicalLicenseEntry` proved the entry, so that it needs no further check.
    var canonicalLicense: Bool { parsed == nil }
    var entry: JSONValue? { parsed?.entry }
    var license: Result<VerifiedLicense, ArtifactError>? { parsed?.license }
    var revocationList: Result<VerifiedRevocationList, ArtifactError>? { parsed?.revocationList }
    var licenseRow: LicenseRowCheck? { parsed.map(\.licenseRow) ?? .matches }

    /// Columns of the `licenses` row that must equal the signed token's claims.
    static let licenseColumns = [
        "serial", "subscription_id", "sequence", "supersedes", "customer_id", "customer_name", "tier", "seats",
        "features", "installation_id", "issued_at", "not_before", "not_after", "grace_days", "key_id", "token",
    ]
    /// Every column of the `licenses` row the audit reads: the claims, then the serial's
    /// number and the operator, which the serial and the entry determine, then the entry index.
    static let licenseQueryColumns = licenseColumns + ["serial_number", "operator", "entry_index"]
    static let serialNumberColumn = licenseColumns.count
    static let operatorColumn = licenseColumns.count + 1
    static let entryIndexColumn = licenseColumns.count + 2

    /// Checks row `row` of `entries` (`entry_index, kind, recorded_at, operator, entry_bytes`)
    /// and row `licenseRow` of `licenses`, the `licenses` row with the same entry index.
    /// `quickProof` false skips `CanonicalLicenseEntry`, so that tests can compare both ways.
    init(entries: PackedRows, row: Int, licenses: PackedRows, licenseRow: Int?, keys: TrustedKeySet, quickProof: Bool = true) {
        if entries.kind(row, 4) == .blob, let range = entries.range(row, 4) {
            leafHash = entries.bytes.withUnsafeBytes { LeafHash(of: UnsafeRawBufferPointer(rebasing: $0[range])) }
            if quickProof, let licenseRow,
                CanonicalLicenseEntry.accepts(entries: entries, row: row, licenses: licenses, licenseRow: licenseRow, keys: keys)
            {
                parsed = nil
                return
            }
        } else {
            // Bytes stored as text are hashed as the rest of the audit reads them.
            leafHash = LeafHash(of: entries.row(row).blob(4) ?? [])
        }
        let bytes = entries.row(row).blob(4) ?? []
        let entry = try? JSONValue.parse(bytes)
        var token: String?
        if case .string(let text)? = entry?["token"] { token = text }
        let license: Result<VerifiedLicense, ArtifactError>?
        let revocationList: Result<VerifiedRevocationList, ArtifactError>?
        switch entry?["kind"] {
        case .string(LedgerEntryKind.licenseMinted.rawValue)?, .string(LedgerEntryKind.licenseRenewed.rawValue)?:
            license = token.map { token in
                Result { () throws(ArtifactError) in try ArtifactVerifier.verifyLicense(token: token, trustedKeys: keys) }
            }
            revocationList = nil
        case .string(LedgerEntryKind.revocationListIssued.rawValue)?:
            license = nil
            revocationList = token.map { token in
                Result { () throws(ArtifactError) in try ArtifactVerifier.verifyRevocationList(token: token, trustedKeys: keys) }
            }
        default:
            license = nil
            revocationList = nil
        }
        var rowCheck: LicenseRowCheck?
        if case .success(let verified)? = license, let token {
            var entryOperator: String?
            if case .string(let text)? = entry?["operator"] { entryOperator = text }
            rowCheck = Self.compare(
                licenseRow.map { licenses.row($0) }, with: verified, token: token, entryOperator: entryOperator)
        }
        parsed = Parsed(entry: entry, license: license, revocationList: revocationList, licenseRow: rowCheck)
    }

    private static func compare(
        _ row: Row?, with license: VerifiedLicense, token: String, entryOperator: String?
    ) -> LicenseRowCheck {
        guard let row else { return .missing }
        let claims = license.claims
        let features = String(decoding: JSONValue.array(claims.features.map { .string($0) }).serialized(), as: UTF8.self)
        let expected: [SQLiteValue] = [
            .text(claims.serial), .text(claims.subscriptionID), .integer(claims.sequence),
            claims.supersedes.map { .text($0) } ?? .null, .text(claims.customerID), .text(claims.customerName),
            .text(claims.tier.rawValue), .integer(claims.seats), .text(features),
            claims.installationID.map { .text($0) } ?? .null, .text(claims.issuedAt.rfc3339),
            .text(claims.notBefore.rfc3339), .text(claims.notAfter.rfc3339), .integer(claims.gracePeriodDays),
            .text(license.key.keyID), .text(token),
        ]
        for (offset, value) in expected.enumerated() where !sameValue(row[offset], value) {
            return .differs(column: licenseColumns[offset], from: "the signed token")
        }
        guard let number = row.integer(serialNumberColumn), sameBytes(LicenseSerial.format(number), claims.serial) else {
            return .differs(column: "serial_number", from: "the signed token's serial")
        }
        guard sameBytes(row.text(operatorColumn), entryOperator) else {
            return .differs(column: "operator", from: "the entry")
        }
        return .matches
    }

    /// Returns the `index` member of the entry bytes, or nil when they have none.
    func embeddedIndex(storedAs index: Int64) -> Int64? {
        canonicalLicense ? index : Self.embeddedIndex(entry)
    }

    static func embeddedIndex(_ entry: JSONValue?) -> Int64? {
        guard case .number(let text)? = entry?["index"] else { return nil }
        return Int64(text)
    }

    /// Reads the `licenses` rows of `entries` (entry index in column 0, bytes in column 4) in
    /// one query, then starts their prechecks on `lanes`, after the batches queued there.
    static func start(
        _ entries: PackedRows, lanes: Parallel.Lanes, keys: TrustedKeySet, database: Database, quickProof: Bool
    ) throws -> Parallel.Batch<Int, EntryPrecheck> {
        var licenses = PackedRows(columns: licenseQueryColumns.count)
        var licenseRows: [Int64: Int] = [:]
        if entries.count > 0, let first = entries.integer(0, 0), let last = entries.integer(entries.count - 1, 0) {
            let query = "SELECT " + licenseQueryColumns.joined(separator: ", ")
                + " FROM licenses WHERE entry_index BETWEEN ? AND ?"
            // A licenses row holds about as many bytes as its entry, most of them the token.
            licenses = try database.packedQuery(
                query, [.integer(min(first, last)), .integer(max(first, last))], reservingBytes: entries.bytes.count)
            for row in 0..<licenses.count {
                if let index = licenses.integer(row, entryIndexColumn) { licenseRows[index] = row }
            }
        }
        let (matchingRows, licenseTable) = (licenseRows, licenses)
        return Parallel.Batch(Array(0..<entries.count), lanes: lanes) { row in
            EntryPrecheck(
                entries: entries, row: row, licenses: licenseTable,
                licenseRow: entries.integer(row, 0).flatMap { matchingRows[$0] }, keys: keys, quickProof: quickProof)
        }
    }
}

/// Checks one entry against its own bytes, its token's signature, and the rows that the
/// ledger derives from it (licenses, revocations, keys, revocation lists).
struct EntryChecker {
    let database: Database
    let keys: TrustedKeySet

    typealias Failure = LedgerAuditor.Failure

    private func edited(_ index: Int64, _ detail: String) -> Failure {
        Failure(problem: AuditProblem(finding: .edited, index: index, detail: detail))
    }

    func check(row: Row, precheck: EntryPrecheck, report: inout AuditReport) throws {
        let index = row.integer(0) ?? -1
        guard let entry = precheck.entry else { throw edited(index, "the entry bytes are not JSON") }
        func field(_ name: String) -> String? {
            if case .string(let text)? = entry[name] { return text }
            return nil
        }
        guard sameBytes(field("kind"), row.text(1)), sameBytes(field("recordedAt"), row.text(2)),
            sameBytes(field("operator"), row.text(3))
        else {
            throw edited(index, "the kind, time or operator columns differ from the entry bytes")
        }
        guard let kind = LedgerEntryKind(rawValue: row.text(1) ?? "") else {
            throw edited(index, "unknown entry kind '\(row.text(1) ?? "")'")
        }

        switch kind {
        case .keyRegistered:
            let rows = try database.query("SELECT key_id, public_key FROM signing_keys WHERE entry_index = ?", [.integer(index)])
            guard let key = rows.first, sameBytes(key.text(0), field("keyId")), sameBytes(key.text(1), field("publicKey")),
                let paserk = field("publicKey"), let trusted = try? TrustedKey(name: "", paserk: paserk, source: .compiledIn),
                sameBytes(trusted.keyID, field("keyId"))
            else { throw edited(index, "the signing_keys row differs from the key-registered entry") }
        case .licenseMinted, .licenseRenewed:
            try checkLicense(index: index, kind: kind, entry: entry, token: field("token"), precheck: precheck, report: &report)
        case .licenseRevoked:
            let rows = try database.query("SELECT serial, reason, revoked_at, operator FROM revocations WHERE entry_index = ?", [.integer(index)])
            guard let revocation = rows.first, sameBytes(revocation.text(0), field("serial")),
                sameBytes(revocation.text(1), field("reason")), sameBytes(revocation.text(2), field("recordedAt")),
                sameBytes(revocation.text(3), field("operator"))
            else { throw edited(index, "the revocations row differs from the license-revoked entry") }
        case .revocationListIssued:
            guard let token = field("token") else { throw edited(index, "the entry has no token") }
            let verified: VerifiedRevocationList
            do {
                guard let result = precheck.revocationList else { throw ArtifactError.malformed("no token") }
                verified = try result.get()
            } catch {
                throw Failure(problem: AuditProblem(finding: .badSignature, index: index, detail: "revocation list: \(error)"))
            }
            let rows = try database.query("SELECT number, token FROM revocation_lists WHERE entry_index = ?", [.integer(index)])
            guard let list = rows.first, list.integer(0) == verified.list.number, sameBytes(list.text(1), token) else {
                throw edited(index, "the revocation_lists row differs from the entry")
            }
        }
    }

    private func checkLicense(
        index: Int64, kind: LedgerEntryKind, entry: JSONValue, token: String?, precheck: EntryPrecheck,
        report: inout AuditReport
    ) throws {
        guard token != nil, let verified = precheck.license else { throw edited(index, "the entry has no token") }
        let license: VerifiedLicense
        do {
            license = try verified.get()
        } catch .unknownKey(let keyID) {
            throw Failure(problem: AuditProblem(
                finding: .badSignature, index: index,
                detail: "the license is signed by key \(keyID), which is not among the given public keys; "
                    + "check that --public-key names the vendor's key"))
        } catch {
            throw Failure(problem: AuditProblem(finding: .badSignature, index: index, detail: "license token: \(error)"))
        }
        let claims = license.claims
        var entrySerial: String?
        var entryCustomer: String?
        if case .string(let text)? = entry["serial"] { entrySerial = text }
        if case .string(let text)? = entry["customer"] { entryCustomer = text }
        guard sameBytes(entrySerial, claims.serial), sameBytes(entryCustomer, claims.customerID),
            claims.ledgerIndex == index, (claims.sequence == 1) == (kind == .licenseMinted)
        else { throw edited(index, "the entry's serial, customer or index differs from its signed token") }

        switch precheck.licenseRow {
        case .matches?:
            report.licenses += 1
        case .differs(let column, let source)?:
            throw edited(index, "licenses.\(column) of \(claims.serial) differs from \(source)")
        case .missing?, nil:
            throw edited(index, "the licenses row of \(claims.serial) is missing")
        }
    }
}

/// Returns whether two strings have the same UTF-8 bytes, or are both nil. Swift's `==`
/// compares canonical equivalence, under which different bytes can be equal (a decomposed
/// "ü", a compatibility ideograph), and the audit must notice any change of bytes.
func sameBytes(_ lhs: String?, _ rhs: String?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): return true
    case (let left?, let right?): return left.utf8.elementsEqual(right.utf8)
    default: return false
    }
}

/// Compares two column values as `sameBytes` compares text.
func sameValue(_ lhs: SQLiteValue, _ rhs: SQLiteValue) -> Bool {
    if case .text(let left) = lhs, case .text(let right) = rhs { return sameBytes(left, right) }
    return lhs == rhs
}
