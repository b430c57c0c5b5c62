/// The signed claims of a license: the PASETO registered claims plus Vupt's own.
public struct LicenseClaims: Equatable, Sendable {
    /// `iss`: the vendor that issued the license.
    public var issuer: String
    /// `sub`: the customer id.
    public var customerID: String
    /// `jti`: the license serial, for example `VUPT-00000042`.
    public var serial: String
    /// `iat`: when the vendor signed it.
    public var issuedAt: Timestamp
    /// `nbf`: the license is not valid before this instant.
    public var notBefore: Timestamp
    /// `exp`: the license stops being valid at this instant; the grace period starts here.
    public var notAfter: Timestamp
    public var customerName: String
    public var tier: Tier
    /// Feature names, in the order the vendor listed them.
    public var features: [String]
    public var seats: Int64
    public var gracePeriodDays: Int64
    public var subscriptionID: String
    /// 1 for a new license, then one more for each renewal of the subscription.
    public var sequence: Int64
    /// The serial this license replaces, or nil for a new subscription.
    public var supersedes: String?
    /// The single installation this license is bound to, or nil for any.
    public var installationID: String?
    /// The index of this license's issuance entry in the vendor's ledger.
    public var ledgerIndex: Int64
    /// Always false: air-gapped installations send no telemetry.
    public var telemetry: Bool

    public init(
        issuer: String, customerID: String, serial: String, issuedAt: Timestamp, notBefore: Timestamp,
        notAfter: Timestamp, customerName: String, tier: Tier, features: [String], seats: Int64,
        gracePeriodDays: Int64, subscriptionID: String, sequence: Int64, supersedes: String?,
        installationID: String?, ledgerIndex: Int64, telemetry: Bool = false
    ) {
        self.issuer = issuer
        self.customerID = customerID
        self.serial = serial
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.customerName = customerName
        self.tier = tier
        self.features = features
        self.seats = seats
        self.gracePeriodDays = gracePeriodDays
        self.subscriptionID = subscriptionID
        self.sequence = sequence
        self.supersedes = supersedes
        self.installationID = installationID
        self.ledgerIndex = ledgerIndex
        self.telemetry = telemetry
    }

    /// The end of the grace period: `exp` plus the grace days.
    public var graceEnds: Timestamp { notAfter.adding(seconds: gracePeriodDays * 86_400) }

    /// Upper bounds on claim values, so that arithmetic on them cannot overflow.
    public static let maximumSeats: Int64 = 1_000_000
    public static let maximumGracePeriodDays: Int64 = 365
    public static let maximumStringLength = 256
    public static let maximumFeatures = 64
    /// Largest payload accepted, in bytes; a full license is about 700.
    public static let maximumPayloadSize = 16 * 1024
    /// Deepest JSON nesting accepted; licenses use 2 (an object holding an array).
    public static let maximumJSONDepth = 4
}

extension LicenseClaims {
    /// Encodes the payload JSON, members in a fixed order. Optional claims are omitted when absent.
    public func payloadJSON() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            ("iss", .string(issuer)),
            ("sub", .string(customerID)),
            ("jti", .string(serial)),
            ("iat", .string(issuedAt.rfc3339)),
            ("nbf", .string(notBefore.rfc3339)),
            ("exp", .string(notAfter.rfc3339)),
            ("customerName", .string(customerName)),
            ("tier", .string(tier.rawValue)),
            ("features", .array(features.map { .string($0) })),
            ("seats", .integer(seats)),
            ("graceDays", .integer(gracePeriodDays)),
            ("subscription", .string(subscriptionID)),
            ("sequence", .integer(sequence)),
        ]
        if let supersedes { members.append(("supersedes", .string(supersedes))) }
        if let installationID { members.append(("installation", .string(installationID))) }
        members.append(("ledgerIndex", .integer(ledgerIndex)))
        members.append(("telemetry", .bool(telemetry)))
        return JSONValue.object(members).serialized()
    }

    /// Decodes verified payload bytes. Call this only after the signature has verified.
    public init(payloadJSON bytes: [UInt8]) throws(ArtifactError) {
        guard bytes.count <= LicenseClaims.maximumPayloadSize else {
            throw .invalidClaim(
                name: "payload", reason: "\(bytes.count) bytes, over the \(LicenseClaims.maximumPayloadSize)-byte limit")
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes, maximumDepth: LicenseClaims.maximumJSONDepth)
        } catch .duplicateKey(let name) {
            throw .duplicateKey(name)
        } catch {
            throw .invalidEncoding("the payload is not valid JSON (\(error))")
        }
        guard case .object(let members) = root else { throw .invalidEncoding("the payload is not a JSON object") }
        var claims = ClaimReader(members: members)

        issuer = try claims.string("iss")
        customerID = try claims.string("sub")
        serial = try claims.string("jti")
        issuedAt = try claims.time("iat")
        notBefore = try claims.time("nbf")
        notAfter = try claims.time("exp")
        customerName = try claims.string("customerName")
        let tierName = try claims.string("tier")
        guard let tier = Tier(rawValue: tierName) else {
            throw .invalidClaim(name: "tier", reason: "'\(tierName)' is not business or enterprise")
        }
        self.tier = tier
        features = try claims.stringArray("features", maximumCount: LicenseClaims.maximumFeatures)
        seats = try claims.seats()
        gracePeriodDays = try claims.integer("graceDays", in: 0...LicenseClaims.maximumGracePeriodDays)
        subscriptionID = try claims.string("subscription")
        sequence = try claims.integer("sequence", in: 1...Int64(Int32.max))
        supersedes = try claims.optionalString("supersedes")
        installationID = try claims.optionalString("installation")
        ledgerIndex = try claims.integer("ledgerIndex", in: 0...Int64.max)
        guard case .bool(let telemetry)? = claims.member("telemetry") else {
            throw claims.member("telemetry") == nil
                ? .missingClaim("telemetry") : .invalidClaim(name: "telemetry", reason: "not a boolean")
        }
        guard !telemetry else {
            throw .invalidClaim(name: "telemetry", reason: "telemetry must be off for air-gapped licenses")
        }
        self.telemetry = telemetry

        guard notBefore < notAfter else {
            throw .invalidClaim(name: "exp", reason: "\(notAfter.rfc3339) is not after nbf \(notBefore.rfc3339)")
        }
        guard (sequence == 1) == (supersedes == nil) else {
            throw .invalidClaim(
                name: "supersedes", reason: "sequence \(sequence) requires 'supersedes' exactly when above 1")
        }
    }
}

/// Typed access to claims, one error per kind of problem.
///
/// Lookups start where the previous one ended, so a payload whose members come in the
/// order `payloadJSON()` writes them is read in one pass. Any other order still works.
private struct ClaimReader {
    let members: [(key: String, value: JSONValue)]
    var cursor = 0

    init(members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    mutating func member(_ name: String) -> JSONValue? {
        for step in 0..<members.count {
            let index = (cursor + step) % members.count
            if members[index].key == name {
                cursor = index + 1
                return members[index].value
            }
        }
        return nil
    }

    mutating func value(_ name: String) throws(ArtifactError) -> JSONValue {
        guard let value = member(name) else { throw .missingClaim(name) }
        if value == .null { throw .nullClaim(name) }
        return value
    }

    mutating func string(_ name: String) throws(ArtifactError) -> String {
        guard case .string(let text) = try value(name) else {
            throw .invalidClaim(name: name, reason: "not a string")
        }
        guard !text.isEmpty else { throw .invalidClaim(name: name, reason: "empty") }
        guard text.utf8.count <= LicenseClaims.maximumStringLength else {
            throw .invalidClaim(name: name, reason: "longer than \(LicenseClaims.maximumStringLength) bytes")
        }
        return text
    }

    mutating func optionalString(_ name: String) throws(ArtifactError) -> String? {
        let start = cursor
        guard member(name) != nil else { return nil }
        cursor = start
        return try string(name)
    }

    mutating func time(_ name: String) throws(ArtifactError) -> Timestamp {
        guard case .string(let text) = try value(name) else {
            throw .invalidClaim(name: name, reason: "not an RFC 3339 string")
        }
        guard let instant = Timestamp(rfc3339UTC: text) else {
            throw .invalidClaim(name: name, reason: "'\(text)' is not RFC 3339 UTC with whole seconds and 'Z'")
        }
        guard Timestamp.supportedRange.contains(instant) else {
            throw .invalidClaim(name: name, reason: "'\(text)' is before 1970-01-01T00:00:00Z")
        }
        return instant
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int64>) throws(ArtifactError) -> Int64 {
        guard case .number(let literal) = try value(name) else {
            throw .invalidClaim(name: name, reason: "not an integer")
        }
        guard let number = Int64(literal) else {
            throw .invalidClaim(name: name, reason: "\(literal) is not an integer in 64-bit range")
        }
        guard range.contains(number) else {
            throw .invalidClaim(name: name, reason: "\(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    mutating func seats() throws(ArtifactError) -> Int64 {
        guard case .number(let literal) = try value("seats") else {
            throw .invalidClaim(name: "seats", reason: "not an integer")
        }
        guard let number = Int64(literal) else {
            if literal.hasPrefix("-") { throw .invalidSeats(literal) }
            throw .invalidClaim(name: "seats", reason: "\(literal) is not an integer in 64-bit range")
        }
        guard number > 0 else { throw .invalidSeats(literal) }
        guard number <= LicenseClaims.maximumSeats else {
            throw .invalidClaim(name: "seats", reason: "\(number) is above \(LicenseClaims.maximumSeats)")
        }
        return number
    }

    mutating func stringArray(_ name: String, maximumCount: Int) throws(ArtifactError) -> [String] {
        guard case .array(let elements) = try value(name) else {
            throw .invalidClaim(name: name, reason: "not an array")
        }
        guard elements.count <= maximumCount else {
            throw .invalidClaim(name: name, reason: "\(elements.count) entries, more than \(maximumCount)")
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element, !text.isEmpty,
                text.utf8.count <= LicenseClaims.maximumStringLength
            else { throw .invalidClaim(name: name, reason: "every entry must be a non-empty string") }
            guard !strings.contains(text) else { throw .invalidClaim(name: name, reason: "'\(text)' is listed twice") }
            strings.append(text)
        }
        return strings
    }
}
