import Foundation
import Testing
import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// A ledger holding every kind of entry, written through the library with time injected.
///
/// | entries | write | checkpoint size |
/// |---|---|---|
/// | 0, 1 | key registered, VUPT-00000001 minted | 2 |
/// | 2 … 10 | VUPT-00000002 … VUPT-00000010 minted, one write each | 3 … 11 |
/// | 11 … 13 | VUPT-00000001 … 3 renewed as VUPT-00000011 … 13, one batch | 14 |
/// | 14 | VUPT-00000005 revoked | 15 |
/// | 15 | revocation list 1 issued | 16 |
struct AuditedLedger {
    let fixture: LedgerFixture
    /// Entry index by serial, for every license.
    let entryIndexes: [String: Int64]
    /// Every checkpoint, oldest first.
    let checkpoints: [(treeSize: UInt64, signedNote: String)]

    static let entryCount: UInt64 = 16
    static let revokedSerial = "VUPT-00000005"
    static let operatorName = "alice"

    static func time(hour: Int64) -> Timestamp {
        LedgerFixture.now.adding(seconds: hour * 3600)
    }

    /// Builds the ledger and closes it, so the file can be copied without its WAL.
    static func build(fixture: LedgerFixture? = nil) throws -> AuditedLedger {
        let fixture = try fixture ?? LedgerFixture()
        var indexes: [String: Int64] = [:]
        let checkpoints: [(treeSize: UInt64, signedNote: String)]
        do {
            let ledger = try fixture.open()
            for number in 1...10 {
                let issued = try ledger.mint(
                    LedgerFixture.request(customerID: "customer-\(number)"), key: fixture.key,
                    operatorName: operatorName, now: time(hour: Int64(number)))
                indexes[issued.serial] = issued.entryIndex
            }
            let renewed = try ledger.renew(
                ["VUPT-00000001", "VUPT-00000002", "VUPT-00000003"].map { ($0, RenewalChanges()) }, key: fixture.key,
                operatorName: operatorName, now: time(hour: 24))
            for license in renewed { indexes[license.serial] = license.entryIndex }
            _ = try ledger.revoke(
                revokedSerial, reason: "contract terminated", key: fixture.key, operatorName: operatorName,
                now: time(hour: 25))
            _ = try ledger.mintRevocationList(key: fixture.key, operatorName: operatorName, now: time(hour: 26))
            checkpoints = try ledger.checkpoints()
        }
        return AuditedLedger(fixture: fixture, entryIndexes: indexes, checkpoints: checkpoints)
    }

    var path: String { fixture.path }

    func remove() { fixture.remove() }

    func audit(trustedKeys: TrustedKeySet? = nil, keptCheckpoint: String? = nil) throws -> AuditReport {
        try LedgerAuditor.audit(path: path, trustedKeys: trustedKeys ?? fixture.trustedKeys, keptCheckpoint: keptCheckpoint)
    }

    func checkpoint(size: UInt64) throws -> String {
        try #require(checkpoints.first { $0.treeSize == size }, "no checkpoint at size \(size)").signedNote
    }

    /// Copies the closed ledger, changes the copy with a plain SQLite connection (which
    /// runs no ledger code and enforces no foreign keys), and audits the copy.
    func auditTampered(
        _ name: String, trustedKeys: TrustedKeySet? = nil, keptCheckpoint: String? = nil,
        _ tamper: (Database) throws -> Void
    ) throws -> AuditReport {
        let copy = fixture.folder.appendingPathComponent("\(name).sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        // Closing the ledger checkpoints its WAL, and a WAL left behind is copied too.
        if FileManager.default.fileExists(atPath: path + "-wal") {
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        }
        do {
            let database = try Database(path: copy, create: false)
            try tamper(database)
        }
        return try LedgerAuditor.audit(
            path: copy, trustedKeys: trustedKeys ?? fixture.trustedKeys, keptCheckpoint: keptCheckpoint)
    }

    func entryIndex(_ serial: String) throws -> Int64 {
        try #require(entryIndexes[serial], "\(serial) is not in the ledger")
    }
}

/// Reads the bytes of entry `index` from a tampered copy.
private func entryBytes(_ database: Database, _ index: Int64) throws -> [UInt8] {
    let row = try #require(
        try database.query("SELECT entry_bytes FROM ledger_entries WHERE entry_index = ?", [.integer(index)]).first)
    return try #require(row.blob(0))
}

private func replacing(_ bytes: [UInt8], _ old: String, with new: String) throws -> [UInt8] {
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains(old), "the entry does not contain \(old)")
    return Array(text.replacingOccurrences(of: old, with: new).utf8)
}

/// The audit of an intact ledger, tamper detection on copies of its file, and the proofs
/// the ledger produces.
@Suite struct LedgerAuditTests {
    // MARK: Intact ledger

    @Test func builtLedgerHasExpectedLayout() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let kinds = try ledger.entries().map(\.kind)

        #expect(kinds.count == Int(AuditedLedger.entryCount))
        #expect(kinds.first == .keyRegistered)
        #expect(Array(kinds[1...10]) == Array(repeating: .licenseMinted, count: 10))
        #expect(Array(kinds[11...13]) == Array(repeating: .licenseRenewed, count: 3))
        #expect(kinds.dropLast().last == .licenseRevoked)
        #expect(kinds.last == .revocationListIssued)
        #expect(built.checkpoints.map(\.treeSize) == Array(2...11) + [14, 15, 16])
    }

    @Test func intactLedgerPassesAudit() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.audit()

        #expect(report.isIntact, "\(report.problem.map(String.init(describing:)) ?? "")")
        #expect(report.entries == AuditedLedger.entryCount)
        #expect(report.licenses == 13)
        #expect(report.checkpoints == 13)
        #expect(report.warnings.isEmpty)
        let ledger = try Ledger(path: built.path, readOnly: true)
        #expect(report.rootHash == (try ledger.rootHash(size: AuditedLedger.entryCount)))
        #expect(report.origin == (try ledger.origin()))
    }

    @Test func auditWithoutKeysWarns() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.audit(trustedKeys: TrustedKeySet())

        #expect(report.isIntact)
        #expect(report.warnings.contains { $0.contains("keys the ledger registers") })
    }

    @Test func keptOlderCheckpointPasses() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        for (size, note) in built.checkpoints {
            let report = try built.audit(keptCheckpoint: note)
            #expect(report.isIntact, "kept checkpoint at size \(size): \(report.problem.map(String.init(describing:)) ?? "")")
        }
    }

    // MARK: Tampering

    @Test func editedLicenseFieldDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.auditTampered("seats") { database in
            try database.execute("""
                DROP TRIGGER licenses_no_update;
                UPDATE licenses SET seats = 999 WHERE serial = 'VUPT-00000004';
                """)
        }

        #expect(report.problem?.finding == .edited)
        #expect(report.problem?.index == (try built.entryIndex("VUPT-00000004")))
        #expect(report.problem?.detail.contains("seats") == true)
    }

    @Test func editedEntryBytesDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.auditTampered("bytes") { database in
            let edited = try replacing(try entryBytes(database, 6), "\"operator\":\"alice\"", with: "\"operator\":\"mallory\"")
            try database.execute("DROP TRIGGER ledger_entries_no_update")
            try database.run("UPDATE ledger_entries SET entry_bytes = ? WHERE entry_index = 6", [.blob(edited)])
        }

        #expect(report.problem?.finding == .edited)
        #expect(report.problem?.index == 6)
        #expect(report.problem?.detail.contains("leaf hash") == true)
    }

    @Test func recomputedLeafHashCaughtByRoot() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        // Bytes, leaf hash and both operator columns agree with each other. Only the signed
        // checkpoint at size 7 covers entry 6, and the write it signs starts at entry 6.
        let report = try built.auditTampered("rehashed") { database in
            let edited = try replacing(try entryBytes(database, 6), "\"operator\":\"alice\"", with: "\"operator\":\"mallory\"")
            try database.execute("DROP TRIGGER ledger_entries_no_update; DROP TRIGGER licenses_no_update")
            try database.run(
                "UPDATE ledger_entries SET entry_bytes = ?, leaf_hash = ?, operator = 'mallory' WHERE entry_index = 6",
                [.blob(edited), .blob(LedgerEntry.leafHash(of: edited))])
            try database.run("UPDATE licenses SET operator = 'mallory' WHERE entry_index = 6")
        }

        #expect(report.problem?.finding == .edited)
        #expect(report.problem?.index == 6)
        #expect(report.problem?.detail.contains("signed checkpoint") == true)
    }

    @Test func deletedMiddleEntryDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.auditTampered("deleted") { database in
            try database.execute("""
                DROP TRIGGER ledger_entries_no_delete;
                DROP TRIGGER licenses_no_delete;
                DELETE FROM ledger_entries WHERE entry_index = 7;
                DELETE FROM licenses WHERE entry_index = 7;
                """)
        }

        #expect(report.problem?.finding == .removed)
        #expect(report.problem?.index == 7)
    }

    @Test func deletedLastEntriesDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        // The revocation and the revocation list go with their rows, but their checkpoints stay.
        let report = try built.auditTampered("truncated") { database in
            try database.execute("""
                DROP TRIGGER ledger_entries_no_delete;
                DROP TRIGGER revocations_no_delete;
                DROP TRIGGER revocation_lists_no_delete;
                DELETE FROM ledger_entries WHERE entry_index >= 14;
                DELETE FROM revocations;
                DELETE FROM revocation_lists;
                """)
        }

        #expect(report.problem?.finding == .truncated)
        #expect(report.problem?.index == 14)
    }

    @Test func swappedEntriesDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.auditTampered("swapped") { database in
            let rows = try database.query(
                "SELECT entry_index, entry_bytes, leaf_hash FROM ledger_entries WHERE entry_index IN (8, 9) ORDER BY entry_index")
            try #require(rows.count == 2)
            try database.execute("DROP TRIGGER ledger_entries_no_update")
            for (row, other) in [(rows[0], rows[1]), (rows[1], rows[0])] {
                try database.run(
                    "UPDATE ledger_entries SET entry_bytes = ?, leaf_hash = ? WHERE entry_index = ?",
                    [other[1], other[2], row[0]])
            }
        }

        #expect(report.problem?.finding == .reordered)
        #expect(report.problem?.index == 8)
    }

    @Test func orphanRevocationRowDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let report = try built.auditTampered("orphan") { database in
            try database.execute("""
                INSERT INTO revocations (serial, entry_index, reason, revoked_at, operator)
                VALUES ('VUPT-00000006', 99, 'never logged', '2026-01-20T00:00:00Z', 'mallory');
                """)
        }

        #expect(report.problem?.finding == .inserted)
        #expect(report.problem?.index == 99)
    }

    @Test func flippedCheckpointSignatureDetected() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let note = try SignedNote(parsing: try built.checkpoint(size: 6))
        let original = try #require(note.signatures.first)
        var signature = original.signature
        signature[10] ^= 0x01
        let flipped = SignedNote(
            text: note.text, signatures: [.init(keyName: original.keyName, keyID: original.keyID, signature: signature)])

        let report = try built.auditTampered("checkpoint") { database in
            try database.execute("DROP TRIGGER checkpoints_no_update")
            try database.run("UPDATE checkpoints SET signed_note = ? WHERE tree_size = 6", [.text(flipped.serialized)])
        }

        // The checkpoint at size 6 covers the write that started at entry 5.
        #expect(report.problem?.finding == .badCheckpoint)
        #expect(report.problem?.index == 5)
    }

    @Test func otherTrustedKeyFailsAudit() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let stranger = TrustedKeySet([
            TrustedKey(name: "other vendor", publicKey: try Ed25519.SecretKey.generate().publicKey, source: .compiledIn),
        ])
        let report = try built.audit(trustedKeys: stranger)

        // Entry 1's license token is checked before the first checkpoint, at size 2.
        #expect(report.problem?.finding == .badSignature)
        #expect(report.problem?.index == 1)
    }

    // MARK: Kept checkpoints

    @Test func keptCheckpointBeforeTruncation() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let kept = try built.checkpoint(size: AuditedLedger.entryCount)
        // The copy loses its last two entries together with their checkpoints, so only
        // the kept checkpoint shows the loss.
        let report = try built.auditTampered("cut", keptCheckpoint: kept) { database in
            try database.execute("""
                DROP TRIGGER ledger_entries_no_delete;
                DROP TRIGGER revocations_no_delete;
                DROP TRIGGER revocation_lists_no_delete;
                DROP TRIGGER checkpoints_no_delete;
                DELETE FROM ledger_entries WHERE entry_index >= 14;
                DELETE FROM revocations;
                DELETE FROM revocation_lists;
                DELETE FROM checkpoints WHERE tree_size > 14;
                """)
        }

        #expect(report.problem?.finding == .truncated)
        #expect(report.problem?.index == 14)
    }

    @Test func keptCheckpointFromOtherLedger() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        // Same key, other origin: the signature verifies, but the checkpoint is of another log.
        let other = try Ledger(path: built.fixture.folder.appendingPathComponent("other.sqlite").path)
        _ = try other.mint(
            LedgerFixture.request(), key: built.fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let foreign = try #require(try other.latestCheckpoint())

        let report = try built.audit(keptCheckpoint: foreign)

        #expect(report.problem?.finding == .badCheckpoint)
        #expect(report.problem?.index == nil)
        #expect(report.problem?.detail.contains(try other.origin()) == true)
    }

    @Test func keptCheckpointByUntrustedKey() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let forged = CheckpointSigner.sign(
            Checkpoint(origin: try ledger.origin(), treeSize: 3, rootHash: try ledger.rootHash(size: 3)),
            key: try Ed25519.SecretKey.generate())

        let report = try built.audit(keptCheckpoint: forged)

        #expect(report.problem?.finding == .badCheckpoint)
    }

    @Test func keptCheckpointOfForkedHistory() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        // Signed with the vendor's key, but over a root this ledger never had.
        let forked = CheckpointSigner.sign(
            Checkpoint(origin: try ledger.origin(), treeSize: 5, rootHash: try ledger.rootHash(size: 6)),
            key: built.fixture.key)

        let report = try built.audit(keptCheckpoint: forked)

        #expect(report.problem?.finding == .edited)
    }

    // MARK: Proofs

    @Test func inclusionProofVerifiesEveryLicense() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let licenses = try ledger.licenses()
        #expect(licenses.count == 13)

        for issued in licenses {
            let proof = try ledger.inclusionProof(serial: issued.serial)
            let license = try ArtifactVerifier.verifyLicense(token: issued.token, trustedKeys: built.fixture.trustedKeys)
            let checkpoint = try proof.verify(license: license, trustedKeys: built.fixture.trustedKeys)
            #expect(checkpoint.treeSize == AuditedLedger.entryCount, "\(issued.serial)")
            #expect(proof.leafIndex == UInt64(issued.entryIndex), "\(issued.serial)")
        }
    }

    @Test func inclusionProofJSONRoundTrips() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let proof = try ledger.inclusionProof(serial: "VUPT-00000012")

        #expect(try InclusionProof(json: proof.json().serialized()) == proof)
    }

    @Test func inclusionProofAgainstOlderCheckpoint() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let issued = try ledger.license(serial: "VUPT-00000003")
        let license = try ArtifactVerifier.verifyLicense(token: issued.token, trustedKeys: built.fixture.trustedKeys)

        for (size, note) in built.checkpoints where size > UInt64(issued.entryIndex) {
            let proof = try ledger.inclusionProof(serial: issued.serial, checkpoint: note)
            let checkpoint = try proof.verify(license: license, trustedKeys: built.fixture.trustedKeys)
            #expect(checkpoint.treeSize == size, "checkpoint at size \(size)")
        }
    }

    @Test func inclusionProofOfOtherLicenseFails() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let proof = try ledger.inclusionProof(serial: "VUPT-00000002")
        let other = try ArtifactVerifier.verifyLicense(
            token: try ledger.license(serial: "VUPT-00000004").token, trustedKeys: built.fixture.trustedKeys)

        #expect(throws: ProofError.self) { try proof.verify(license: other, trustedKeys: built.fixture.trustedKeys) }
    }

    @Test func inclusionProofWithFlippedHashFails() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let issued = try ledger.license(serial: "VUPT-00000007")
        let proof = try ledger.inclusionProof(serial: issued.serial)
        let license = try ArtifactVerifier.verifyLicense(token: issued.token, trustedKeys: built.fixture.trustedKeys)

        for position in proof.hashes.indices {
            var hashes = proof.hashes
            hashes[position][31] ^= 0x80
            let tampered = InclusionProof(
                leafIndex: proof.leafIndex, treeSize: proof.treeSize, entryBytes: proof.entryBytes, hashes: hashes,
                signedCheckpoint: proof.signedCheckpoint)
            #expect(throws: ProofError.self, "hash \(position)") {
                try tampered.verify(license: license, trustedKeys: built.fixture.trustedKeys)
            }
        }
    }

    @Test func consistencyProofFromEveryCheckpoint() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)

        for (size, note) in built.checkpoints {
            let proof = try ledger.consistencyProof(from: note)
            let (old, new) = try proof.verify(from: note, trustedKeys: built.fixture.trustedKeys)
            #expect(old.treeSize == size, "from size \(size)")
            #expect(new.treeSize == AuditedLedger.entryCount, "from size \(size)")
        }
    }

    @Test func consistencyProofJSONRoundTrips() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let ledger = try Ledger(path: built.path, readOnly: true)
        let proof = try ledger.consistencyProof(from: try built.checkpoint(size: 5))

        #expect(try ConsistencyProof(json: proof.json().serialized()) == proof)
    }

    @Test func consistencyFromForeignCheckpointFails() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let other = try Ledger(path: built.fixture.folder.appendingPathComponent("other.sqlite").path)
        _ = try other.mint(
            LedgerFixture.request(), key: built.fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let foreign = try #require(try other.latestCheckpoint())
        let ledger = try Ledger(path: built.path, readOnly: true)

        #expect(throws: LedgerError.self) { try ledger.consistencyProof(from: foreign) }
    }
}
