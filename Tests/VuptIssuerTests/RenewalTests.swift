import Testing
import VuptIssuer
import VuptSodium
import VuptVerifier

/// Renewals in a real ledger file: term start and end across leap years and month ends,
/// refusals, entitlement changes, the due report and the all-or-nothing batch.
@Suite struct RenewalTests {
    struct InjectedFailure: Error, Equatable {}

    /// A ledger and its key, with the mint and renew calls the tests repeat.
    struct Subject {
        let fixture: LedgerFixture
        let ledger: Ledger

        init() throws {
            fixture = try LedgerFixture()
            ledger = try fixture.open()
        }

        func remove() { fixture.remove() }

        /// Mints a license whose term starts at `notBefore`, issued at that instant.
        func mint(
            notBefore: Timestamp, months: Int = 12, customerID: String = "acme-corp", gracePeriodDays: Int64 = 30
        ) throws -> IssuedLicense {
            try ledger.mint(
                LedgerFixture.request(
                    customerID: customerID, months: months, gracePeriodDays: gracePeriodDays, notBefore: notBefore),
                key: fixture.key, operatorName: "alice", now: notBefore)
        }

        func renew(_ serial: String, at now: Timestamp, changes: RenewalChanges = RenewalChanges()) throws -> IssuedLicense {
            try #require(try ledger.renew([(serial, changes)], key: fixture.key, operatorName: "bob", now: now).first)
        }

        func revoke(_ serial: String, at now: Timestamp) throws {
            _ = try ledger.revoke(serial, reason: "contract terminated", key: fixture.key, operatorName: "bob", now: now)
        }
    }

    // MARK: Chains across leap years and month ends

    @Test func leapDayChainKeepsAnchor() throws {
        let subject = try Subject()
        defer { subject.remove() }
        var license = try subject.mint(notBefore: try time("2024-02-29T10:00:00Z"))
        var expiries = [license.claims.notAfter.rfc3339]
        for _ in 1...4 {
            let previous = license.claims
            license = try subject.renew(license.serial, at: previous.notAfter.adding(seconds: -7 * 86_400))
            #expect(license.claims.notBefore == previous.notAfter, "renewal of \(previous.serial)")
            expiries.append(license.claims.notAfter.rfc3339)
        }

        #expect(expiries == [
            "2025-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "2027-02-28T10:00:00Z", "2028-02-29T10:00:00Z",
            "2029-02-28T10:00:00Z",
        ])
    }

    @Test func monthEndChainKeepsAnchor() throws {
        let subject = try Subject()
        defer { subject.remove() }
        var license = try subject.mint(notBefore: try time("2025-01-31T10:00:00Z"), months: 1)
        var expiries = [license.claims.notAfter.rfc3339]
        for _ in 1...4 {
            let previous = license.claims
            license = try subject.renew(
                license.serial, at: previous.notAfter.adding(seconds: -86_400), changes: RenewalChanges(months: 1))
            #expect(license.claims.notBefore == previous.notAfter, "renewal of \(previous.serial)")
            expiries.append(license.claims.notAfter.rfc3339)
        }

        #expect(expiries == [
            "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z",
            "2025-06-30T10:00:00Z",
        ])
    }

    @Test func chainLinksSerialsAndSequence() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let first = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let second = try subject.renew(first.serial, at: try time("2026-12-01T00:00:00Z"))
        let third = try subject.renew(second.serial, at: try time("2027-12-01T00:00:00Z"))

        #expect(second.claims.sequence == 2)
        #expect(second.claims.supersedes == first.serial)
        #expect(third.claims.sequence == 3)
        #expect(third.claims.supersedes == second.serial)
        #expect(try subject.ledger.subscription(first.claims.subscriptionID).map(\.serial)
            == [first.serial, second.serial, third.serial])
    }

    // MARK: When the new term starts

    @Test func earlyRenewalStartsAtExpiry() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"))
        let renewedAt = try time("2026-11-16T09:00:00Z")
        let renewal = try subject.renew(previous.serial, at: renewedAt)

        #expect(renewal.claims.issuedAt == renewedAt)
        #expect(renewal.claims.notBefore.rfc3339 == "2027-01-15T09:00:00Z")
        #expect(renewal.claims.notAfter.rfc3339 == "2028-01-15T09:00:00Z")
    }

    @Test func onTimeRenewalStartsAtExpiry() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"))
        let renewal = try subject.renew(previous.serial, at: previous.claims.notAfter)

        #expect(renewal.claims.notBefore == previous.claims.notAfter)
        #expect(renewal.claims.notAfter.rfc3339 == "2028-01-15T09:00:00Z")
    }

    @Test func renewalInGraceStartsAtExpiry() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"))
        // One second before the 30 grace days end.
        let renewedAt = previous.claims.graceEnds.adding(seconds: -1)
        let renewal = try subject.renew(previous.serial, at: renewedAt)

        #expect(renewal.claims.issuedAt == renewedAt)
        #expect(renewal.claims.notBefore == previous.claims.notAfter)
        #expect(renewal.claims.notAfter.rfc3339 == "2028-01-15T09:00:00Z")
    }

    @Test func renewalAtGraceEndStartsNow() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"))
        let renewedAt = previous.claims.graceEnds
        let renewal = try subject.renew(previous.serial, at: renewedAt)

        #expect(renewedAt.rfc3339 == "2027-02-14T09:00:00Z")
        #expect(renewal.claims.notBefore == renewedAt)
        #expect(renewal.claims.notAfter.rfc3339 == "2028-02-14T09:00:00Z")
    }

    @Test func renewalAfterGraceStartsNow() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"))
        let renewedAt = try time("2027-03-20T16:30:00Z")
        let renewal = try subject.renew(previous.serial, at: renewedAt)

        #expect(renewal.claims.notBefore == renewedAt)
        #expect(renewal.claims.notAfter.rfc3339 == "2028-03-20T16:30:00Z")
    }

    @Test func zeroGraceRenewalAfterExpiry() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let previous = try subject.mint(notBefore: try time("2026-01-15T09:00:00Z"), gracePeriodDays: 0)
        let renewedAt = previous.claims.notAfter.adding(seconds: 1)
        let renewal = try subject.renew(previous.serial, at: renewedAt)

        #expect(renewal.claims.notBefore == renewedAt)
        #expect(renewal.claims.gracePeriodDays == 0)
    }

    @Test func lateRenewalSetsNewAnchor() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let monthly = RenewalChanges(months: 1)
        // Anchor day 31: the first term ends 2025-02-28 and its grace on 2025-03-30.
        let first = try subject.mint(notBefore: try time("2025-01-31T10:00:00Z"), months: 1)
        let late = try subject.renew(first.serial, at: try time("2025-04-30T10:00:00Z"), changes: monthly)
        let next = try subject.renew(late.serial, at: late.claims.notAfter, changes: monthly)
        let after = try subject.renew(next.serial, at: next.claims.notAfter, changes: monthly)

        #expect(late.claims.notBefore.rfc3339 == "2025-04-30T10:00:00Z")
        #expect(late.claims.notAfter.rfc3339 == "2025-05-30T10:00:00Z")
        #expect(next.claims.notBefore.rfc3339 == "2025-05-30T10:00:00Z")
        #expect(next.claims.notAfter.rfc3339 == "2025-06-30T10:00:00Z")
        // Day 30 is now the anchor, where the old anchor 31 would give 2025-07-31.
        #expect(after.claims.notAfter.rfc3339 == "2025-07-30T10:00:00Z")
    }

    // MARK: Refusals

    @Test func supersededSerialRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let first = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let second = try subject.renew(first.serial, at: try time("2026-12-01T00:00:00Z"))
        let third = try subject.renew(second.serial, at: try time("2026-12-02T00:00:00Z"))
        let size = try subject.ledger.treeSize()

        #expect(throws: RenewalError.superseded(serial: first.serial, newest: third.serial)) {
            try subject.renew(first.serial, at: try time("2026-12-03T00:00:00Z"))
        }
        #expect(throws: RenewalError.superseded(serial: second.serial, newest: third.serial)) {
            try subject.renew(second.serial, at: try time("2026-12-03T00:00:00Z"))
        }
        #expect(try subject.ledger.treeSize() == size)
    }

    @Test func supersededErrorNamesNewest() {
        let error = RenewalError.superseded(serial: "VUPT-00000001", newest: "VUPT-00000003")
        #expect(error.description.contains("VUPT-00000003"))
    }

    @Test func revokedSerialRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let license = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        try subject.revoke(license.serial, at: try time("2026-03-01T00:00:00Z"))
        let size = try subject.ledger.treeSize()

        #expect(throws: RenewalError.revoked(serial: license.serial, newest: license.serial)) {
            try subject.renew(license.serial, at: try time("2026-12-01T00:00:00Z"))
        }
        #expect(try subject.ledger.treeSize() == size)
    }

    @Test func revokedRenewalRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let first = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let second = try subject.renew(first.serial, at: try time("2026-12-01T00:00:00Z"))
        try subject.revoke(second.serial, at: try time("2027-02-01T00:00:00Z"))

        #expect(throws: RenewalError.revoked(serial: second.serial, newest: second.serial)) {
            try subject.renew(second.serial, at: try time("2027-12-01T00:00:00Z"))
        }
        #expect(throws: RenewalError.superseded(serial: first.serial, newest: second.serial)) {
            try subject.renew(first.serial, at: try time("2027-12-01T00:00:00Z"))
        }
    }

    @Test func unknownSerialRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        _ = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))

        #expect(throws: LedgerError.licenseNotFound(serial: "VUPT-00000099")) {
            try subject.renew("VUPT-00000099", at: try time("2026-12-01T00:00:00Z"))
        }
    }

    // MARK: Entitlements

    @Test func renewalKeepsEntitlements() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let request = LicenseRequest(
            customerID: "globex", customerName: "Globex Corporation", tier: .enterprise, seats: 40,
            features: ["desktop-app", "cost-analytics"], gracePeriodDays: 14,
            notBefore: try time("2026-01-01T00:00:00Z"), installationID: "host-7f3a")
        let old = try subject.ledger.mint(
            request, key: subject.fixture.key, operatorName: "alice", now: try time("2026-01-01T00:00:00Z")).claims
        let new = try subject.renew(old.serial, at: try time("2026-12-01T00:00:00Z")).claims

        #expect(new.customerID == old.customerID)
        #expect(new.customerName == old.customerName)
        #expect(new.subscriptionID == old.subscriptionID)
        #expect(new.installationID == "host-7f3a")
        #expect(new.gracePeriodDays == 14)
        #expect(new.tier == .enterprise)
        #expect(new.seats == 40)
        #expect(new.features == ["desktop-app", "cost-analytics"])
    }

    @Test func renewalChangesTier() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let new = try subject.renew(
            old.serial, at: try time("2026-12-01T00:00:00Z"), changes: RenewalChanges(tier: .enterprise)).claims

        #expect(old.claims.tier == .business)
        #expect(new.tier == .enterprise)
        #expect(new.features == old.claims.features)
        #expect(new.seats == old.claims.seats)
    }

    @Test func renewalChangesSeats() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let new = try subject.renew(
            old.serial, at: try time("2026-12-01T00:00:00Z"), changes: RenewalChanges(seats: 250)).claims

        #expect(new.seats == 250)
        #expect(new.tier == old.claims.tier)
    }

    @Test func renewalAddsFeature() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let new = try subject.renew(
            old.serial, at: try time("2026-12-01T00:00:00Z"),
            changes: RenewalChanges(addedFeatures: ["cost-analytics", "kanban"])).claims

        #expect(old.claims.features == ["desktop-app", "local-mcp-server", "kanban"])
        #expect(new.features == ["desktop-app", "local-mcp-server", "kanban", "cost-analytics"])
    }

    @Test func renewalRemovesFeature() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))
        let new = try subject.renew(
            old.serial, at: try time("2026-12-01T00:00:00Z"), changes: RenewalChanges(removedFeatures: ["kanban"])).claims

        #expect(new.features == ["desktop-app", "local-mcp-server"])
    }

    @Test func removingAbsentFeatureRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))

        #expect(throws: MintError.self) {
            try subject.renew(
                old.serial, at: try time("2026-12-01T00:00:00Z"),
                changes: RenewalChanges(removedFeatures: ["cost-analytics"]))
        }
    }

    @Test func removingEveryFeatureRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))

        #expect(throws: MintError.self) {
            try subject.renew(
                old.serial, at: try time("2026-12-01T00:00:00Z"),
                changes: RenewalChanges(removedFeatures: ["desktop-app", "local-mcp-server", "kanban"]))
        }
    }

    @Test func addingCloudFeatureRefused() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let old = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"))

        #expect(throws: MintError.cloudOnlyFeature("cloud-sync")) {
            try subject.renew(
                old.serial, at: try time("2026-12-01T00:00:00Z"), changes: RenewalChanges(addedFeatures: ["cloud-sync"]))
        }
        #expect(throws: MintError.unknownFeature("teleport")) {
            try subject.renew(
                old.serial, at: try time("2026-12-01T00:00:00Z"), changes: RenewalChanges(addedFeatures: ["teleport"]))
        }
    }

    // MARK: Due report

    @Test func dueListsOnlyOpenLicenses() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let now = try time("2026-06-01T00:00:00Z")
        let expired = try subject.mint(notBefore: try time("2025-05-01T00:00:00Z"), customerID: "expired")
        let soon = try subject.mint(notBefore: try time("2025-06-20T00:00:00Z"), customerID: "soon")
        let renewed = try subject.mint(notBefore: try time("2025-06-10T00:00:00Z"), customerID: "renewed")
        let revoked = try subject.mint(notBefore: try time("2025-06-15T00:00:00Z"), customerID: "revoked")
        let later = try subject.mint(notBefore: try time("2026-01-01T00:00:00Z"), customerID: "later")
        // Expires exactly at the end of the 60-day window, which is included.
        let edge = try subject.mint(notBefore: try time("2025-07-31T00:00:00Z"), customerID: "edge")
        let renewal = try subject.renew(renewed.serial, at: now)
        try subject.revoke(revoked.serial, at: now)

        let due = try subject.ledger.due(within: 60, now: now).map(\.serial)

        #expect(due == [expired.serial, soon.serial, edge.serial])
        #expect(!due.contains(renewed.serial))
        #expect(!due.contains(renewal.serial))
        #expect(!due.contains(revoked.serial))
        #expect(!due.contains(later.serial))
    }

    @Test func dueWithinZeroListsExpired() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let expired = try subject.mint(notBefore: try time("2025-05-01T00:00:00Z"), customerID: "expired")
        _ = try subject.mint(notBefore: try time("2025-06-20T00:00:00Z"), customerID: "soon")

        #expect(try subject.ledger.due(within: 0, now: try time("2026-06-01T00:00:00Z")).map(\.serial) == [expired.serial])
    }

    // MARK: Batches

    /// 1,000 licenses minted one write at a time, then renewed in one batch whose
    /// progress callback fails at item 500: the batch must leave no trace.
    @Test func failedBatchLeavesLedgerUnchanged() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let ledger = subject.ledger
        for number in 1...1_000 {
            _ = try subject.mint(notBefore: LedgerFixture.now, customerID: "customer-\(number)")
        }
        let renewedAt = try time("2026-12-15T09:00:00Z")
        let items = try ledger.due(within: 60, now: renewedAt).map { ($0.serial, RenewalChanges()) }
        try #require(items.count == 1_000)
        let sizeBefore = try ledger.treeSize()
        let checkpointBefore = try ledger.latestCheckpoint()
        let checkpointCountBefore = try ledger.checkpoints().count

        var reached = 0
        #expect(throws: InjectedFailure.self) {
            try ledger.renew(items, key: subject.fixture.key, operatorName: "bob", now: renewedAt) { _, done in
                reached = done
                if done == 500 { throw InjectedFailure() }
            }
        }

        #expect(reached == 500)
        #expect(try ledger.treeSize() == sizeBefore)
        #expect(try ledger.latestCheckpoint() == checkpointBefore)
        #expect(try ledger.checkpoints().count == checkpointCountBefore)
        #expect(try ledger.licenses().count == 1_000)
        #expect(try ledger.due(within: 60, now: renewedAt).count == 1_000)
    }

    @Test func batchAddsOneCheckpoint() throws {
        let subject = try Subject()
        defer { subject.remove() }
        let ledger = subject.ledger
        for number in 1...20 {
            _ = try subject.mint(notBefore: LedgerFixture.now, customerID: "customer-\(number)")
        }
        let renewedAt = try time("2026-12-15T09:00:00Z")
        let items = try ledger.due(within: 60, now: renewedAt).map { ($0.serial, RenewalChanges()) }
        let sizeBefore = try ledger.treeSize()
        let checkpointCountBefore = try ledger.checkpoints().count

        let renewed = try ledger.renew(items, key: subject.fixture.key, operatorName: "bob", now: renewedAt)

        #expect(renewed.count == 20)
        #expect(renewed.map(\.claims.sequence) == Array(repeating: 2, count: 20))
        #expect(try ledger.treeSize() == sizeBefore + 20)
        #expect(try ledger.checkpoints().count == checkpointCountBefore + 1)
        #expect(try ledger.due(within: 60, now: renewedAt).isEmpty)
        #expect(try LedgerAuditor.audit(path: subject.fixture.path, trustedKeys: subject.fixture.trustedKeys).isIntact)
    }
}
