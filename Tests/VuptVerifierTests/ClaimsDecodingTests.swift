import Testing
import VuptVerifier

/// Decoding of verified license payloads by `LicenseClaims(payloadJSON:)`: each kind of
/// problem has its own `ArtifactError`.
@Suite struct ClaimsDecodingTests {
    static let claims = LicenseClaims(
        issuer: "vupt", customerID: "acme-corp", serial: "VUPT-00000042",
        issuedAt: Timestamp(secondsSince1970: 1_796_412_480),
        notBefore: Timestamp(secondsSince1970: 1_796_412_480),
        notAfter: Timestamp(secondsSince1970: 1_827_948_480),
        customerName: "ACME Corp", tier: .business, features: ["desktop-app", "kanban"], seats: 25,
        gracePeriodDays: 30, subscriptionID: "SUB-00000042", sequence: 1, supersedes: nil,
        installationID: nil, ledgerIndex: 7)

    /// Returns the payload members of `claims`, in their signed order.
    func members(of claims: LicenseClaims = Self.claims) throws -> [(key: String, value: JSONValue)] {
        guard case .object(let members) = try JSONValue.parse(claims.payloadJSON()) else {
            Issue.record("payloadJSON() is not a JSON object")
            return []
        }
        return members
    }

    /// Returns the members with `name` set to `value`, or removed when `value` is nil.
    func members(replacing name: String, with value: JSONValue?) throws -> [(key: String, value: JSONValue)] {
        var result = try members()
        let index = try #require(result.firstIndex { $0.key == name }, "the payload has no '\(name)'")
        if let value { result[index].value = value } else { result.remove(at: index) }
        return result
    }

    func decode(_ members: [(key: String, value: JSONValue)]) throws(ArtifactError) -> LicenseClaims {
        try LicenseClaims(payloadJSON: JSONValue.object(members).serialized())
    }

    func decode(_ text: String) throws(ArtifactError) -> LicenseClaims {
        try LicenseClaims(payloadJSON: Array(text.utf8))
    }

    /// Checks that decoding fails with `invalidClaim` for `name`, whatever the reason text.
    func expectInvalidClaim(
        _ name: String, _ members: [(key: String, value: JSONValue)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: ArtifactError.self, sourceLocation: sourceLocation) { try decode(members) }
        guard case .invalidClaim(let failedName, _)? = error else {
            Issue.record("expected invalidClaim(\(name)), got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(failedName == name, sourceLocation: sourceLocation)
    }

    // MARK: Valid payloads

    @Test func validPayloadRoundTrips() throws {
        #expect(try decode(members()) == Self.claims)
    }

    @Test func payloadMemberOrderIsFixed() throws {
        let keys = try members().map(\.key)

        #expect(keys == [
            "iss", "sub", "jti", "iat", "nbf", "exp", "customerName", "tier", "features", "seats", "graceDays",
            "subscription", "sequence", "ledgerIndex", "telemetry",
        ])
    }

    /// The decoder reads members in the signed order in one pass, but any order decodes.
    @Test func membersInAnyOrderDecode() throws {
        var renewal = Self.claims
        renewal.sequence = 2
        renewal.supersedes = "VUPT-00000041"
        let signedOrder = try members(of: renewal)
        var generator = SystemRandomNumberGenerator()

        #expect(try decode(signedOrder.reversed()) == renewal)
        for _ in 0..<20 {
            #expect(try decode(signedOrder.shuffled(using: &generator)) == renewal)
        }
    }

    @Test func optionalClaimsRoundTrip() throws {
        var renewal = Self.claims
        renewal.sequence = 2
        renewal.supersedes = "VUPT-00000041"
        renewal.installationID = "host-01"

        #expect(try decode(members(of: renewal)) == renewal)
        #expect(try members(of: renewal).map(\.key).suffix(4) == ["supersedes", "installation", "ledgerIndex", "telemetry"])
    }

    @Test func unknownMemberIgnored() throws {
        let extended = try members() + [("comment", .string("added by a newer issuer"))]

        #expect(try decode(extended) == Self.claims)
    }

    // MARK: Missing and null claims

    @Test(arguments: ["iat", "nbf", "exp"])
    func missingTimeClaim(name: String) throws {
        let payload = try members(replacing: name, with: nil)

        #expect(throws: ArtifactError.missingClaim(name)) { try decode(payload) }
    }

    @Test(arguments: ["iat", "nbf", "exp"])
    func nullTimeClaim(name: String) throws {
        let payload = try members(replacing: name, with: .null)

        #expect(throws: ArtifactError.nullClaim(name)) { try decode(payload) }
    }

    @Test(arguments: [
        "iss", "sub", "jti", "customerName", "tier", "features", "seats", "graceDays", "subscription", "sequence",
        "ledgerIndex", "telemetry",
    ])
    func missingClaim(name: String) throws {
        let payload = try members(replacing: name, with: nil)

        #expect(throws: ArtifactError.missingClaim(name)) { try decode(payload) }
    }

    // MARK: Time claims

    @Test(arguments: ["iat", "nbf", "exp"])
    func numericTimeRejected(name: String) throws {
        expectInvalidClaim(name, try members(replacing: name, with: .integer(1_796_412_480)))
    }

    @Test(arguments: [
        "2026-12-04T19:28:00+00:00", "2026-12-04T19:28:00.0Z", "2026-12-04", "2026-12-04T19:28:00z",
        "2026-12-04t19:28:00Z",
    ])
    func nonClaimTimeFormRejected(text: String) throws {
        expectInvalidClaim("nbf", try members(replacing: "nbf", with: .string(text)))
    }

    @Test func timeBefore1970Rejected() throws {
        expectInvalidClaim("iat", try members(replacing: "iat", with: .string("1969-12-31T23:59:59Z")))
    }

    @Test func earliestSupportedTimeAccepted() throws {
        let payload = try members(replacing: "iat", with: .string("1970-01-01T00:00:00Z"))

        #expect(try decode(payload).issuedAt == Timestamp(secondsSince1970: 0))
    }

    @Test func expiryEqualToNotBeforeRejected() throws {
        expectInvalidClaim("exp", try members(replacing: "exp", with: .string("2026-12-04T19:28:00Z")))
    }

    @Test func expiryOneSecondAfterNotBeforeAccepted() throws {
        let payload = try members(replacing: "exp", with: .string("2026-12-04T19:28:01Z"))

        #expect(try decode(payload).notAfter == Timestamp(secondsSince1970: 1_796_412_481))
    }

    // MARK: Seats

    @Test(arguments: ["0", "-0", "-1", "-1000000", "-99999999999999999999"])
    func nonPositiveSeatsRejected(literal: String) throws {
        let payload = try members(replacing: "seats", with: .number(literal))

        #expect(throws: ArtifactError.invalidSeats(literal)) { try decode(payload) }
    }

    @Test(arguments: [Int64(1), 1_000_000])
    func seatsAtBoundsAccepted(seats: Int64) throws {
        let payload = try members(replacing: "seats", with: .integer(seats))

        #expect(try decode(payload).seats == seats)
    }

    @Test(arguments: [
        JSONValue.integer(1_000_001), .number("1.5"), .number("1e3"), .number("99999999999999999999"),
        .string("5"), .null, .bool(true),
    ])
    func otherInvalidSeatsRejected(value: JSONValue) throws {
        let payload = try members(replacing: "seats", with: value)
        let error = #expect(throws: ArtifactError.self) { try decode(payload) }

        switch error {
        case .invalidClaim(name: "seats", _)?, .nullClaim("seats")?: break
        default: Issue.record("seats \(value): expected invalidClaim or nullClaim, got \(String(describing: error))")
        }
    }

    // MARK: Duplicate keys

    @Test(arguments: ["seats", "exp", "tier", "telemetry"])
    func duplicateClaimRejected(name: String) throws {
        let original = try members()
        let value = try #require(original.first { $0.key == name }?.value)
        let payload = original + [(name, value)]

        #expect(throws: ArtifactError.duplicateKey(name)) { try decode(payload) }
    }

    @Test func duplicateKeyInTextRejected() {
        let text = #"{"iss":"vupt","seats":5,"seats":500}"#

        #expect(throws: ArtifactError.duplicateKey("seats")) { try decode(text) }
    }

    @Test func nestedDuplicateKeyRejected() throws {
        let payload = try members() + [("extra", .object([("a", .integer(1)), ("a", .integer(2))]))]

        #expect(throws: ArtifactError.duplicateKey("a")) { try decode(payload) }
    }

    // MARK: Tier and telemetry

    @Test(arguments: ["free", "Business", "ENTERPRISE", "business ", "team"])
    func unknownTierRejected(tier: String) throws {
        expectInvalidClaim("tier", try members(replacing: "tier", with: .string(tier)))
    }

    @Test func emptyTierRejected() throws {
        expectInvalidClaim("tier", try members(replacing: "tier", with: .string("")))
    }

    @Test func numericTierRejected() throws {
        expectInvalidClaim("tier", try members(replacing: "tier", with: .integer(1)))
    }

    @Test func enterpriseTierAccepted() throws {
        #expect(try decode(members(replacing: "tier", with: .string("enterprise"))).tier == .enterprise)
    }

    @Test func telemetryTrueRejected() throws {
        let payload = try members(replacing: "telemetry", with: .bool(true))

        #expect(throws: ArtifactError.invalidClaim(
            name: "telemetry", reason: "telemetry must be off for air-gapped licenses")
        ) {
            try decode(payload)
        }
    }

    @Test(arguments: [JSONValue.string("false"), .integer(0), .null])
    func nonBooleanTelemetryRejected(value: JSONValue) throws {
        expectInvalidClaim("telemetry", try members(replacing: "telemetry", with: value))
    }

    // MARK: Other claims

    @Test func renewalWithoutSupersedesRejected() throws {
        expectInvalidClaim("supersedes", try members(replacing: "sequence", with: .integer(2)))
    }

    @Test func firstLicenseWithSupersedesRejected() throws {
        let payload = try members() + [("supersedes", .string("VUPT-00000041"))]

        expectInvalidClaim("supersedes", payload)
    }

    @Test(arguments: [Int64(-1), 366])
    func graceDaysOutOfRangeRejected(days: Int64) throws {
        expectInvalidClaim("graceDays", try members(replacing: "graceDays", with: .integer(days)))
    }

    @Test func overlongStringRejected() throws {
        let name = String(repeating: "x", count: LicenseClaims.maximumStringLength + 1)

        expectInvalidClaim("customerName", try members(replacing: "customerName", with: .string(name)))
    }

    @Test func repeatedFeatureRejected() throws {
        let features = JSONValue.array([.string("kanban"), .string("kanban")])

        expectInvalidClaim("features", try members(replacing: "features", with: features))
    }

    @Test func nonObjectPayloadRejected() {
        #expect(throws: ArtifactError.invalidEncoding("the payload is not a JSON object")) { try decode("[]") }
    }

    @Test func invalidJSONPayloadRejected() {
        let error = #expect(throws: ArtifactError.self) { try decode(#"{"iss":"vupt""#) }

        guard case .invalidEncoding? = error else {
            Issue.record("expected invalidEncoding, got \(String(describing: error))")
            return
        }
    }
}
