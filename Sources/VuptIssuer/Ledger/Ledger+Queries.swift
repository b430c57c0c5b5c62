import VuptSQLite
import VuptVerifier

/// A license's standing in the ledger at one instant.
public enum LedgerStatus: String, CaseIterable, Sendable {
    /// Its term has not started yet, for example a renewal issued early.
    case pending
    case active
    case expired
    case superseded
    case revoked
}

/// Filters for history queries; nil matches everything.
public struct LicenseFilter: Sendable {
    public var customerID: String?
    /// Matches customer names containing this text, ignoring case and Unicode
    /// normalization (NFC and NFD forms compare equal).
    public var name: String?
    /// Issued at or after this instant.
    public var since: Timestamp?
    /// Issued before this instant.
    public var until: Timestamp?
    public var tier: Tier?
    public var status: LedgerStatus?

    public init(
        customerID: String? = nil, name: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
        tier: Tier? = nil, status: LedgerStatus? = nil
    ) {
        self.customerID = customerID
        self.name = name
        self.since = since
        self.until = until
        self.tier = tier
        self.status = status
    }
}

/// One row of the issuance history.
public struct LicenseHistoryRow: Sendable {
    public let license: IssuedLicense
    public let status: LedgerStatus
    public let supersededBy: String?
    public let revocationReason: String?
}

extension Ledger {
    /// Streams matching licenses in serial order, one row in memory at a time.
    public func forEachLicense(
        matching filter: LicenseFilter, now: Timestamp, _ body: (LicenseHistoryRow) throws -> Void
    ) throws {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let customer = filter.customerID {
            conditions.append("l.customer_id = ?")
            arguments.append(.text(customer))
        }
        if let since = filter.since {
            conditions.append("l.issued_at >= ?")
            arguments.append(.text(since.rfc3339))
        }
        if let until = filter.until {
            conditions.append("l.issued_at < ?")
            arguments.append(.text(until.rfc3339))
        }
        if let tier = filter.tier {
            conditions.append("l.tier = ?")
            arguments.append(.text(tier.rawValue))
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let statement = try database.prepare(
            """
            SELECT l.serial, l.entry_index, l.token, l.key_id, l.operator,
                (SELECT n.serial FROM licenses AS n WHERE n.supersedes = l.serial),
                (SELECT r.reason FROM revocations AS r WHERE r.serial = l.serial),
                (SELECT n.not_before FROM licenses AS n WHERE n.supersedes = l.serial)
            FROM licenses AS l \(whereClause) ORDER BY l.serial_number
            """)
        try statement.bind(arguments)
        let keys = try trustedSigningKeys()
        let needle = filter.name.map(Ledger.searchForm)
        while let row = try statement.step() {
            let license = try issuedLicense(from: row, keys: keys)
            // A renewal supersedes its predecessor only once its own term has started.
            let successorStart = row.text(7).flatMap { Timestamp(rfc3339UTC: $0) }
            let status: LedgerStatus
            if row.text(6) != nil {
                status = .revoked
            } else if let successorStart, now >= successorStart {
                status = .superseded
            } else if now < license.claims.notBefore {
                status = .pending
            } else if now >= license.claims.notAfter {
                status = .expired
            } else {
                status = .active
            }
            if let wanted = filter.status, wanted != status { continue }
            if let needle, !Ledger.searchForm(license.claims.customerName).contains(needle) { continue }
            try body(LicenseHistoryRow(license: license, status: status, supersededBy: row.text(5), revocationReason: row.text(6)))
        }
    }

    /// Lowercased characters; Swift compares characters by canonical equivalence, so NFC
    /// and NFD spellings of a name match without rewriting stored bytes.
    static func searchForm(_ text: String) -> [Character] {
        Array(text.lowercased())
    }

    func trustedSigningKeys() throws -> TrustedKeySet {
        var keys = TrustedKeySet()
        for (keyID, paserk) in try signingKeys() {
            keys.add(try TrustedKey(name: keyID, paserk: paserk, source: .file(path: path)))
        }
        return keys
    }

    /// Returns the ledger entry bytes at `index`.
    public func entryBytes(at index: Int64) throws -> [UInt8] {
        guard let bytes = try database.query(
            "SELECT entry_bytes FROM ledger_entries WHERE entry_index = ?", [.integer(index)]
        ).first?.blob(0) else { throw LedgerError.notALedger(path: path, reason: "entry \(index) is missing") }
        return bytes
    }

    /// An inclusion proof of a license's issuance entry against the newest checkpoint,
    /// or against `checkpoint` when given (it must be one this ledger signed).
    public func inclusionProof(serial: String, checkpoint signedNote: String? = nil) throws -> InclusionProof {
        let license = try license(serial: serial)
        let note: String
        if let signedNote {
            note = signedNote
        } else {
            guard let latest = try latestCheckpoint() else {
                throw LedgerError.notALedger(path: path, reason: "it has no checkpoint yet")
            }
            note = latest
        }
        let checkpoint = try Checkpoint(noteText: try SignedNote(parsing: note).text)
        guard checkpoint.origin == (try origin()), checkpoint.treeSize <= (try treeSize()),
            try rootHash(size: checkpoint.treeSize) == checkpoint.rootHash
        else {
            throw LedgerError.notALedger(path: path, reason: "the checkpoint does not belong to this ledger's history")
        }
        guard UInt64(license.entryIndex) < checkpoint.treeSize else {
            throw LedgerError.notALedger(
                path: path, reason: "\(serial) was recorded after the checkpoint at size \(checkpoint.treeSize)")
        }
        let hashes = try proofBuilder(size: checkpoint.treeSize).inclusionProof(index: UInt64(license.entryIndex))
        return InclusionProof(
            leafIndex: UInt64(license.entryIndex), treeSize: checkpoint.treeSize,
            entryBytes: try entryBytes(at: license.entryIndex), hashes: hashes, signedCheckpoint: note)
    }

    /// Returns a consistency proof from an older checkpoint of this ledger to the newest one.
    public func consistencyProof(from oldNote: String) throws -> ConsistencyProof {
        let old = try Checkpoint(noteText: try SignedNote(parsing: oldNote).text)
        guard let latest = try latestCheckpoint() else {
            throw LedgerError.notALedger(path: path, reason: "it has no checkpoint yet")
        }
        let new = try Checkpoint(noteText: try SignedNote(parsing: latest).text)
        guard old.origin == new.origin else {
            throw LedgerError.notALedger(path: path, reason: "the old checkpoint is for log '\(old.origin)'")
        }
        guard old.treeSize <= new.treeSize else {
            throw LedgerError.notALedger(
                path: path, reason: "the old checkpoint covers \(old.treeSize) entries, the ledger only \(new.treeSize)")
        }
        let hashes = try proofBuilder(size: new.treeSize).consistencyProof(oldSize: old.treeSize)
        return ConsistencyProof(oldSize: old.treeSize, newSize: new.treeSize, hashes: hashes, signedCheckpoint: latest)
    }
}
