import Testing
import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptVerifier

/// Minting into a real SQLite ledger file: serials, ledger entries, the stored token,
/// and rollback when the caller's `beforeCommit` fails.
@Suite struct LedgerMintTests {
    struct WriteFailed: Error, Equatable {}

    @Test func firstMintGetsSerialOne() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(
            LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.serial == "VUPT-00000001")
        #expect(issued.claims.serial == "VUPT-00000001")
        #expect(issued.claims.subscriptionID == "SUB-00000001")
        #expect(issued.claims.sequence == 1)
        #expect(issued.claims.supersedes == nil)
        #expect(issued.operatorName == "alice")
        #expect(issued.keyID == PASERK.publicKeyID(fixture.key.publicKey))
    }

    @Test func mintedClaimsFollowRequest() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let claims = try ledger.mint(
            LedgerFixture.request(seats: 25), key: fixture.key, operatorName: "alice", now: LedgerFixture.now
        ).claims

        #expect(claims.issuer == "vupt")
        #expect(claims.customerID == "acme-corp")
        #expect(claims.customerName == "ACME Corp")
        #expect(claims.tier == .business)
        #expect(claims.seats == 25)
        #expect(claims.features == ["desktop-app", "local-mcp-server", "kanban"])
        #expect(claims.gracePeriodDays == 30)
        #expect(claims.issuedAt == LedgerFixture.now)
        #expect(claims.notBefore == LedgerFixture.now)
        #expect(claims.notAfter == (try time("2027-01-15T09:00:00Z")))
        #expect(claims.telemetry == false)
    }

    @Test func explicitNotBeforeStartsTerm() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        let start = try time("2024-02-29T00:00:00Z")

        let claims = try ledger.mint(
            LedgerFixture.request(notBefore: start), key: fixture.key, operatorName: "alice", now: LedgerFixture.now
        ).claims

        #expect(claims.issuedAt == LedgerFixture.now)
        #expect(claims.notBefore == start)
        #expect(claims.notAfter == (try time("2025-02-28T00:00:00Z")))
    }

    @Test func serialsAreConsecutive() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        var serials: [String] = []
        for customer in ["acme-corp", "globex", "initech"] {
            serials.append(try ledger.mint(
                LedgerFixture.request(customerID: customer), key: fixture.key, operatorName: "alice",
                now: LedgerFixture.now
            ).serial)
        }

        #expect(serials == ["VUPT-00000001", "VUPT-00000002", "VUPT-00000003"])
        #expect(try ledger.licenses().map(\.serial) == serials)
    }

    @Test func keyIsRegisteredOnce() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let first = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let second = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "bob", now: LedgerFixture.now)
        let keys = try ledger.signingKeys()
        let entries = try ledger.entries()

        #expect(keys.count == 1)
        #expect(keys.first?.keyID == PASERK.publicKeyID(fixture.key.publicKey))
        #expect(keys.first?.publicKey == PASERK.encodePublic(fixture.key.publicKey))
        #expect(entries.map(\.kind) == [.keyRegistered, .licenseMinted, .licenseMinted])
        #expect(entries.map(\.index) == [0, 1, 2])
        #expect(first.entryIndex == 1)
        #expect(second.entryIndex == 2)
        #expect(first.claims.ledgerIndex == 1)
        #expect(second.claims.ledgerIndex == 2)
    }

    @Test func secondKeyIsRegisteredToo() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        let otherKey = try Ed25519.SecretKey.generate()

        _ = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let issued = try ledger.mint(LedgerFixture.request(), key: otherKey, operatorName: "alice", now: LedgerFixture.now)

        #expect(try ledger.signingKeys().count == 2)
        #expect(try ledger.entries().map(\.kind) == [.keyRegistered, .licenseMinted, .keyRegistered, .licenseMinted])
        #expect(issued.serial == "VUPT-00000002")
        #expect(issued.entryIndex == 3)
    }

    @Test func entriesRecordOperatorAndTime() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        _ = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let entries = try ledger.entries()

        #expect(entries.allSatisfy { $0.operatorName == "alice" })
        #expect(entries.allSatisfy { $0.recordedAt == LedgerFixture.now })
        #expect(entries.allSatisfy { $0.leafHash == LedgerEntry.leafHash(of: $0.bytes) })
        #expect(entries.allSatisfy { $0.leafHash.count == 32 })
    }

    @Test func mintEntryBytesAreJSON() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let entry = try #require(try ledger.entries().last)
        let json = try JSONValue.parse(entry.bytes)

        #expect(json["index"] == .integer(1))
        #expect(json["kind"] == .string("license-minted"))
        #expect(json["recordedAt"] == .string("2026-01-15T09:00:00Z"))
        #expect(json["operator"] == .string("alice"))
        #expect(json["serial"] == .string("VUPT-00000001"))
        #expect(json["token"] == .string(issued.token))
    }

    @Test func storedTokenVerifies() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        let issued = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        let stored = try ledger.license(serial: "VUPT-00000001")
        let verified = try ArtifactVerifier.verifyLicense(token: stored.token, trustedKeys: fixture.trustedKeys)

        #expect(stored.token == issued.token)
        #expect(stored.claims == issued.claims)
        #expect(verified.claims == issued.claims)
        #expect(verified.key.keyID == issued.keyID)
    }

    @Test func storedTokenRejectsOtherKey() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        let issued = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        let otherKey = try Ed25519.SecretKey.generate()
        let otherTrusted = TrustedKeySet([TrustedKey(name: "other", publicKey: otherKey.publicKey, source: .compiledIn)])

        #expect(throws: ArtifactError.unknownKey(keyID: issued.keyID)) {
            try ArtifactVerifier.verifyLicense(token: issued.token, trustedKeys: otherTrusted)
        }
    }

    @Test func unknownSerialNotFound() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        #expect(throws: LedgerError.licenseNotFound(serial: "VUPT-00000001")) {
            try ledger.license(serial: "VUPT-00000001")
        }
    }

    @Test func failingBeforeCommitLeavesNoRow() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        var seenSerial: String?

        #expect(throws: WriteFailed()) {
            try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now) {
                seenSerial = $0.serial
                throw WriteFailed()
            }
        }

        #expect(seenSerial == "VUPT-00000001")
        #expect(try ledger.licenses().isEmpty)
        #expect(try ledger.entries().isEmpty)
        #expect(try ledger.signingKeys().isEmpty)
    }

    @Test func serialReusedAfterRolledBackMint() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        _ = try? ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now) { _ in
            throw WriteFailed()
        }
        let issued = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.serial == "VUPT-00000001")
        #expect(issued.entryIndex == 1)
        #expect(try ledger.entries().map(\.index) == [0, 1])
    }

    @Test func beforeCommitSeesRowInTransaction() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()
        var rowsInside: [String] = []

        _ = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now) { _ in
            rowsInside = try ledger.licenses().map(\.serial)
        }

        #expect(rowsInside == ["VUPT-00000001"])
    }

    @Test func reopenedLedgerContinuesSerials() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        do {
            let ledger = try fixture.open()
            _ = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        }

        let reopened = try fixture.open()
        let issued = try reopened.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.serial == "VUPT-00000002")
        #expect(try reopened.signingKeys().count == 1)
        #expect(try reopened.licenses().map(\.serial) == ["VUPT-00000001", "VUPT-00000002"])
    }

    @Test func readOnlyLedgerReadsLicenses() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        do {
            let ledger = try fixture.open()
            _ = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)
        }

        let readOnly = try Ledger(path: fixture.path, readOnly: true)

        #expect(try readOnly.licenses().map(\.serial) == ["VUPT-00000001"])
    }
}
