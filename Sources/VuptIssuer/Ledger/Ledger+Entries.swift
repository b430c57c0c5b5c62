import VuptSQLite
import VuptSodium
import VuptVerifier

/// The kinds of ledger entry.
public enum LedgerEntryKind: String, Sendable, CaseIterable {
    case keyRegistered = "key-registered"
    case licenseMinted = "license-minted"
    case licenseRenewed = "license-renewed"
    case licenseRevoked = "license-revoked"
    case revocationListIssued = "revocation-list-issued"
}

/// One entry as stored.
public struct LedgerEntry: Equatable, Sendable {
    public let index: Int64
    public let kind: LedgerEntryKind
    public let recordedAt: Timestamp
    public let operatorName: String
    /// The exact bytes the Merkle leaf hash covers.
    public let bytes: [UInt8]
    public let leafHash: [UInt8]

    /// RFC 6962 leaf hash: SHA-256 of 0x00 followed by the entry bytes.
    public static func leafHash(of bytes: [UInt8]) -> [UInt8] {
        SHA256.hash(parts: [[0x00], bytes])
    }

    /// Returns the issuance entry of a signed license at the index its claims name.
    static func issuance(
        of license: VerifiedLicense, kind: LedgerEntryKind, recordedAt: Timestamp, operatorName: String
    ) -> LedgerEntry {
        let claims = license.claims
        let bytes = encode(
            index: claims.ledgerIndex, kind: kind, recordedAt: recordedAt, operatorName: operatorName,
            fields: [
                ("serial", .string(claims.serial)),
                ("customer", .string(claims.customerID)),
                ("keyId", .string(license.key.keyID)),
                ("token", .string(license.token)),
            ])
        return LedgerEntry(
            index: claims.ledgerIndex, kind: kind, recordedAt: recordedAt, operatorName: operatorName, bytes: bytes,
            leafHash: leafHash(of: bytes))
    }

    /// Encodes the entry bytes: compact JSON with members in a fixed order. The common members
    /// come first, then the kind's own members.
    static func encode(
        index: Int64, kind: LedgerEntryKind, recordedAt: Timestamp, operatorName: String,
        fields: [(key: String, value: JSONValue)]
    ) -> [UInt8] {
        let members: [(key: String, value: JSONValue)] = [
            ("v", .integer(1)),
            ("index", .integer(index)),
            ("kind", .string(kind.rawValue)),
            ("recordedAt", .string(recordedAt.rfc3339)),
            ("operator", .string(operatorName)),
        ] + fields
        return JSONValue.object(members).serialized()
    }
}

extension Ledger {
    func nextEntryIndex() throws -> Int64 {
        (try database.query("SELECT max(entry_index) FROM ledger_entries").first?.integer(0) ?? -1) + 1
    }

    /// Appends an entry inside the caller's transaction and returns its index.
    @discardableResult
    func appendEntry(
        kind: LedgerEntryKind, recordedAt: Timestamp, operatorName: String, fields: [(key: String, value: JSONValue)]
    ) throws -> LedgerEntry {
        let index = try nextEntryIndex()
        let bytes = LedgerEntry.encode(
            index: index, kind: kind, recordedAt: recordedAt, operatorName: operatorName, fields: fields)
        return try append(LedgerEntry(
            index: index, kind: kind, recordedAt: recordedAt, operatorName: operatorName, bytes: bytes,
            leafHash: LedgerEntry.leafHash(of: bytes)))
    }

    /// Appends an entry encoded in advance, inside the caller's transaction. Its index must
    /// be the next one.
    @discardableResult
    func append(_ entry: LedgerEntry) throws -> LedgerEntry {
        let next = try nextEntryIndex()
        precondition(entry.index == next, "ledger index changed inside the transaction")
        try database.run(
            """
            INSERT INTO ledger_entries (entry_index, kind, recorded_at, operator, entry_bytes, leaf_hash)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [.integer(entry.index), .text(entry.kind.rawValue), .text(entry.recordedAt.rfc3339),
             .text(entry.operatorName), .blob(entry.bytes), .blob(entry.leafHash)])
        try storeCompletedNodes(afterLeaf: entry.index, leafHash: entry.leafHash)
        return entry
    }

    /// Records the signing key in the caller's transaction unless it is already registered.
    func registerKeyIfNeeded(_ publicKey: Ed25519.PublicKey, recordedAt: Timestamp, operatorName: String) throws {
        let keyID = PASERK.publicKeyID(publicKey)
        let existing = try database.query("SELECT 1 FROM signing_keys WHERE key_id = ?", [.text(keyID)])
        guard existing.isEmpty else { return }
        let paserk = PASERK.encodePublic(publicKey)
        let entry = try appendEntry(
            kind: .keyRegistered, recordedAt: recordedAt, operatorName: operatorName,
            fields: [("keyId", .string(keyID)), ("publicKey", .string(paserk))])
        try database.run(
            "INSERT INTO signing_keys (key_id, public_key, entry_index) VALUES (?, ?, ?)",
            [.text(keyID), .text(paserk), .integer(entry.index)])
    }

    /// Returns every entry in index order.
    public func entries() throws -> [LedgerEntry] {
        try database.query(
            "SELECT entry_index, kind, recorded_at, operator, entry_bytes, leaf_hash FROM ledger_entries ORDER BY entry_index"
        ).map { row in
            let index = row.integer(0) ?? -1
            guard let kind = LedgerEntryKind(rawValue: row.text(1) ?? ""),
                let recordedAt = Timestamp(rfc3339UTC: row.text(2) ?? "")
            else {
                throw LedgerError.notALedger(path: path, reason: "entry \(index) has an unknown kind or an invalid time")
            }
            return LedgerEntry(
                index: index, kind: kind, recordedAt: recordedAt, operatorName: row.text(3) ?? "",
                bytes: row.blob(4) ?? [], leafHash: row.blob(5) ?? [])
        }
    }

    /// Returns the public keys the ledger has registered, as `k4.public` PASERKs by key id.
    public func signingKeys() throws -> [(keyID: String, publicKey: String)] {
        try database.query("SELECT key_id, public_key FROM signing_keys ORDER BY entry_index").map {
            ($0.text(0) ?? "", $0.text(1) ?? "")
        }
    }
}
