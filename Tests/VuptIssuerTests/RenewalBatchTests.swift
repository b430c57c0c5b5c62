import Foundation
import Testing
@testable import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptVerifier

/// Batches that span several signing chunks, the checkpoint that authenticates the previous
/// licenses, and the signature self-checks.
@Suite struct RenewalBatchTests {
    /// A ledger with `count` licenses minted in one write, so one checkpoint covers them all.
    struct Subject {
        let fixture: LedgerFixture
        let ledger: Ledger
        let minted: [IssuedLicense]

        init(count: Int) throws {
            fixture = try LedgerFixture()
            ledger = try fixture.open()
            minted = try ledger.mintBatch(
                (1...count).map { LedgerFixture.request(customerID: "customer-\($0)", notBefore: LedgerFixture.now) },
                key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        }

        func remove() { fixture.remove() }

        func renew(_ serials: [String]) throws -> [IssuedLicense] {
            try ledger.renew(
                serials.map { ($0, RenewalChanges()) }, key: fixture.key, operatorName: "bob",
                now: try time("2026-12-15T09:00:00Z"))
        }

        /// Changes the ledger file with a plain SQLite connection, as someone with write access
        /// to the file could, after dropping the triggers that refuse such changes.
        func tamper(_ sql: String) throws {
            let database = try Database(path: fixture.path, create: false)
            try database.execute(sql)
        }
    }

    @Test func batchOverSeveralChunksRecordsEveryRenewalInOrder() throws {
        let count = Ledger.renewalChunkSize * 2 + 37
        let subject = try Subject(count: count)
        defer { subject.remove() }
        let sizeBefore = try subject.ledger.treeSize()

        let renewed = try subject.renew(subject.minted.map(\.serial))

        #expect(renewed.count == count)
        #expect(renewed.map(\.claims.supersedes) == subject.minted.map(\.serial))
        #expect(renewed.map(\.claims.serial) == (count + 1...2 * count).map { LicenseSerial.format(Int64($0)) })
        #expect(renewed.map(\.entryIndex) == Array(Int64(sizeBefore)..<Int64(sizeBefore) + Int64(count)))
        #expect(renewed.allSatisfy { $0.claims.sequence == 2 })
        #expect(renewed.allSatisfy { $0.claims.notBefore == subject.minted[0].claims.notAfter })
        for license in renewed {
            _ = try ArtifactVerifier.verifyLicense(token: license.token, trustedKeys: subject.fixture.trustedKeys)
        }
        #expect(try LedgerAuditor.audit(path: subject.fixture.path, trustedKeys: subject.fixture.trustedKeys).isIntact)
    }

    @Test func firstFailureInBatchOrderIsThrownAcrossChunks() throws {
        let subject = try Subject(count: Ledger.renewalChunkSize + 20)
        defer { subject.remove() }
        let superseded = subject.minted[3].serial
        _ = try subject.renew([superseded])
        let sizeBefore = try subject.ledger.treeSize()
        var serials = subject.minted.map(\.serial).filter { $0 != superseded }
        serials[Ledger.renewalChunkSize + 5] = "VUPT-99999999"
        serials[10] = superseded

        #expect(throws: RenewalError.superseded(serial: superseded, newest: LicenseSerial.format(Int64(subject.minted.count + 1)))) {
            try subject.renew(serials)
        }
        serials.remove(at: 10)
        #expect(throws: LedgerError.licenseNotFound(serial: "VUPT-99999999")) { try subject.renew(serials) }
        #expect(try subject.ledger.treeSize() == sizeBefore)
    }

    @Test func editedPreviousEntryStopsTheBatch() throws {
        let subject = try Subject(count: 3)
        defer { subject.remove() }
        let sizeBefore = try subject.ledger.treeSize()
        let index = subject.minted[1].entryIndex
        try subject.tamper("""
            DROP TRIGGER ledger_entries_no_update;
            UPDATE ledger_entries SET entry_bytes = CAST(replace(CAST(entry_bytes AS TEXT), 'customer-2', 'customer-9') AS BLOB)
            WHERE entry_index = \(index);
            """)

        #expect {
            try subject.renew([subject.minted[1].serial])
        } throws: { error in
            guard case .damaged(_, let reason) = error as? LedgerError else { return false }
            return reason.contains(subject.minted[1].serial)
        }
        #expect(try subject.ledger.treeSize() == sizeBefore)
    }

    @Test func editedTreeNodeStopsTheBatch() throws {
        let subject = try Subject(count: 3)
        defer { subject.remove() }
        // Entries 0 (the key) and 1 form node (1, 0), the left neighbour of license 3's leaf.
        try subject.tamper("""
            DROP TRIGGER merkle_nodes_no_update;
            UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 1 AND position = 0;
            """)

        #expect {
            try subject.renew([subject.minted[2].serial])
        } throws: { error in
            if case .damaged? = error as? LedgerError { return true }
            return false
        }
    }

    @Test func unverifiableCheckpointStopsTheBatch() throws {
        let subject = try Subject(count: 2)
        defer { subject.remove() }
        let sizeBefore = try subject.ledger.treeSize()
        // Changing the note's text breaks its signature.
        try subject.tamper("""
            DROP TRIGGER checkpoints_no_update;
            UPDATE checkpoints SET signed_note = replace(signed_note, 'vupt-ledger/', 'vupt-ledger/x');
            """)

        #expect {
            try subject.renew([subject.minted[0].serial])
        } throws: { error in
            guard case .damaged(_, let reason) = error as? LedgerError else { return false }
            return reason.contains("newest checkpoint")
        }
        #expect(try subject.ledger.treeSize() == sizeBefore)
    }

    @Test func licenseNoCheckpointCoversHasItsSignatureVerified() throws {
        let subject = try Subject(count: 2)
        defer { subject.remove() }
        let late = try subject.ledger.mint(
            LedgerFixture.request(customerID: "late", notBefore: LedgerFixture.now), key: subject.fixture.key,
            operatorName: "alice", now: LedgerFixture.now)
        // Without the newest checkpoint, the late license's entry is beyond the checkpoint left.
        try subject.tamper("""
            DROP TRIGGER checkpoints_no_delete;
            DELETE FROM checkpoints WHERE tree_size = (SELECT max(tree_size) FROM checkpoints);
            """)
        let renewed = try subject.renew([late.serial])
        #expect(renewed.first?.claims.supersedes == late.serial)
    }

    @Test func forgedTokenBeyondTheCheckpointIsRefused() throws {
        let subject = try Subject(count: 2)
        defer { subject.remove() }
        let late = try subject.ledger.mint(
            LedgerFixture.request(customerID: "late", notBefore: LedgerFixture.now), key: subject.fixture.key,
            operatorName: "alice", now: LedgerFixture.now)
        let other = try Ed25519.SecretKey.generate()
        let forged = try ArtifactSigner.signLicense(late.claims, key: other).token
        try subject.tamper("""
            DROP TRIGGER checkpoints_no_delete;
            DELETE FROM checkpoints WHERE tree_size = (SELECT max(tree_size) FROM checkpoints);
            DROP TRIGGER licenses_no_update;
            UPDATE licenses SET token = '\(forged)' WHERE serial = '\(late.serial)';
            """)

        #expect(throws: ArtifactError.unknownKey(keyID: PASERK.publicKeyID(other.publicKey))) {
            try subject.renew([late.serial])
        }
    }

    @Test func bothSelfChecksGiveTheSameToken() throws {
        let subject = try Subject(count: 1)
        defer { subject.remove() }
        let claims = subject.minted[0].claims
        let verified = try ArtifactSigner.signLicense(claims, key: subject.fixture.key, check: .verify)
        let signedTwice = try ArtifactSigner.signLicense(claims, key: subject.fixture.key, check: .signAgain)

        #expect(verified.token == signedTwice.token)
        #expect(verified.token == subject.minted[0].token)
        #expect(try ArtifactVerifier.verifyLicense(token: signedTwice.token, trustedKeys: subject.fixture.trustedKeys).claims == claims)
    }

    @Test(arguments: [(0, 1, true), (0, 5, true), (4, 5, true), (1, 5, false), (3, 5, false)])
    func firstAndLastOfBatchAreVerified(position: Int, count: Int, verified: Bool) {
        #expect((Ledger.selfCheck(position: position, of: count) == .verify) == verified)
    }

    @Test func rootFromSomeLeavesMatchesStoredTree() throws {
        let subject = try Subject(count: 36)
        defer { subject.remove() }
        let size = try subject.ledger.treeSize()
        let leafHashes = try subject.ledger.entries().map(\.leafHash)
        let expected = try subject.ledger.rootHash(size: size)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let chosen = (0..<size).filter { _ in Bool.random(using: &generator) }
            let leaves = chosen.map { (index: $0, hash: leafHashes[Int($0)]) }
            #expect(try subject.ledger.rootHash(size: size, withLeaves: leaves[...]) == expected)
            guard let changed = chosen.first else { continue }
            var wrong = leaves
            wrong[0].hash = SHA256.hash([UInt8](repeating: 0, count: 1))
            #expect(try subject.ledger.rootHash(size: size, withLeaves: wrong[...]) != expected, "leaf \(changed)")
        }
    }

    @Test(arguments: [0, 1, 2, 3, 17, 1_000])
    func parallelMapKeepsOrder(count: Int) {
        let numbers = Array(0..<count)
        #expect(Parallel.map(numbers) { $0 * 3 } == numbers.map { $0 * 3 })
    }

    @Test func batchResultsCanBeReadTwice() {
        let batch = Parallel.Batch(Array(0..<100)) { String($0) }
        #expect(batch.results() == (0..<100).map(String.init))
        #expect(batch.results().count == 100)
    }
}
