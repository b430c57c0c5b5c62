import Testing
import VuptIssuer
import VuptSQLite
import VuptVerifier

/// Requests that `Ledger.mint` rejects before signing. A rejected mint writes nothing:
/// no ledger entry, no key registration, no license row.
@Suite struct MintValidationTests {
    /// Mints `request` into a fresh ledger, expects `expected`, and checks the ledger is
    /// still empty afterwards.
    func expectRejected(
        _ request: LicenseRequest, with expected: MintError, now: Timestamp = LedgerFixture.now,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        #expect(throws: expected, sourceLocation: sourceLocation) {
            try ledger.mint(request, key: fixture.key, operatorName: "alice", now: now)
        }
        #expect(try ledger.entries().isEmpty, "the rejected mint wrote an entry", sourceLocation: sourceLocation)
        #expect(try ledger.licenses().isEmpty, "the rejected mint wrote a license", sourceLocation: sourceLocation)
    }

    // MARK: Features

    @Test(arguments: ["cloud-sync", "cloud-mcp", "auto-update", "saas-sign-in"])
    func cloudOnlyFeatureRejected(feature: String) throws {
        try expectRejected(
            LedgerFixture.request(features: ["desktop-app", feature]), with: .cloudOnlyFeature(feature))
    }

    @Test func cloudOnlyNamesMatchDocumentedList() {
        #expect(Feature.cloudOnlyNames == ["cloud-sync", "cloud-mcp", "auto-update", "saas-sign-in"])
    }

    @Test(arguments: ["teleport", "Kanban", "desktop_app", " kanban", ""])
    func unknownFeatureRejected(feature: String) throws {
        try expectRejected(LedgerFixture.request(features: [feature]), with: .unknownFeature(feature))
    }

    @Test func repeatedFeatureListedOnce() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(
            LedgerFixture.request(features: ["kanban", "cost-analytics", "kanban"]), key: fixture.key,
            operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.claims.features == ["kanban", "cost-analytics"])
    }

    @Test func enterpriseGetsEveryFeatureByDefault() {
        #expect(LicenseRequest.standardFeatures(for: .enterprise) == Feature.allCases)
        #expect(LicenseRequest.standardFeatures(for: .business) == [.desktopApplication, .localMCPServer, .kanban])
    }

    // MARK: Seats, months and grace days

    @Test(arguments: [Int64(0), -1, 1_000_001])
    func seatsOutOfRangeRejected(seats: Int64) throws {
        try expectRejected(
            LedgerFixture.request(seats: seats),
            with: .invalidValue(field: "seats", value: String(seats), allowed: "1 to 1000000"))
    }

    @Test(arguments: [Int64(1), 1_000_000])
    func seatsAtBoundsAccepted(seats: Int64) throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(
            LedgerFixture.request(seats: seats), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.claims.seats == seats)
    }

    @Test(arguments: [0, -1, 121])
    func monthsOutOfRangeRejected(months: Int) throws {
        try expectRejected(
            LedgerFixture.request(months: months),
            with: .invalidValue(field: "months", value: String(months), allowed: "1 to 120"))
    }

    @Test(arguments: [Int64(-1), 366])
    func graceDaysOutOfRangeRejected(days: Int64) throws {
        try expectRejected(
            LedgerFixture.request(gracePeriodDays: days),
            with: .invalidValue(field: "grace days", value: String(days), allowed: "0 to 365"))
    }

    @Test(arguments: ["", "acme corp", "acme/corp", "ä", String(repeating: "a", count: 65)])
    func invalidCustomerIDRejected(customerID: String) throws {
        try expectRejected(
            LedgerFixture.request(customerID: customerID),
            with: .invalidValue(
                field: "customer id", value: customerID, allowed: "1 to 64 letters, digits, '.', '_' or '-'"))
    }

    // MARK: Time range

    @Test func termEndingAfter9999Rejected() throws {
        let start = try time("9999-06-01T00:00:00Z")

        let end = Timestamp(civil: CivilDateTime(year: 10_000, month: 6, day: 1))

        try expectRejected(LedgerFixture.request(notBefore: start), with: .timeOutOfRange(end))
    }

    @Test func termEndingOnLastSupportedSecondAccepted() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(
            LedgerFixture.request(gracePeriodDays: 0, notBefore: try time("9998-12-31T23:59:59Z")), key: fixture.key,
            operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.claims.notAfter.rfc3339 == "9999-12-31T23:59:59Z")
        #expect(issued.claims.graceEnds == Timestamp.supportedRange.upperBound)
    }

    @Test func graceEndingAfter9999Rejected() throws {
        try expectRejected(
            LedgerFixture.request(gracePeriodDays: 1, notBefore: try time("9998-12-31T23:59:59Z")),
            with: .timeOutOfRange(Timestamp.supportedRange.upperBound.adding(seconds: 86_400)))
    }

    @Test func startBefore1970Rejected() throws {
        try expectRejected(
            LedgerFixture.request(notBefore: Timestamp(secondsSince1970: -1)),
            with: .timeOutOfRange(Timestamp(secondsSince1970: -1)))
    }

    @Test func startAt1970Accepted() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let ledger = try fixture.open()

        let issued = try ledger.mint(
            LedgerFixture.request(notBefore: Timestamp(secondsSince1970: 0)), key: fixture.key, operatorName: "alice",
            now: LedgerFixture.now)

        #expect(issued.claims.notBefore.rfc3339 == "1970-01-01T00:00:00Z")
        #expect(issued.claims.notAfter.rfc3339 == "1971-01-01T00:00:00Z")
    }
}
