import VuptVerifier

/// A request to issue a new license, validated before any key is unlocked.
public struct LicenseRequest: Equatable, Sendable {
    public var customerID: String
    public var customerName: String
    public var tier: Tier
    public var seats: Int64
    /// Feature names; empty means the tier's standard set.
    public var features: [String]
    public var months: Int
    public var gracePeriodDays: Int64
    /// Start of the term; nil means the issuance time.
    public var notBefore: Timestamp?
    public var installationID: String?

    public static let defaultMonths = 12
    public static let maximumMonths = 120
    public static let defaultGracePeriodDays: Int64 = 30

    public init(
        customerID: String, customerName: String, tier: Tier, seats: Int64, features: [String] = [],
        months: Int = defaultMonths, gracePeriodDays: Int64 = defaultGracePeriodDays, notBefore: Timestamp? = nil,
        installationID: String? = nil
    ) {
        self.customerID = customerID
        self.customerName = customerName
        self.tier = tier
        self.seats = seats
        self.features = features
        self.months = months
        self.gracePeriodDays = gracePeriodDays
        self.notBefore = notBefore
        self.installationID = installationID
    }

    /// Returns the features a tier gets when the request names none.
    public static func standardFeatures(for tier: Tier) -> [Feature] {
        switch tier {
        case .business: return [.desktopApplication, .localMCPServer, .kanban]
        case .enterprise: return Feature.allCases
        }
    }

    /// Checks every field and returns the feature list to sign, in the given order.
    public func validatedFeatures() throws(MintError) -> [String] {
        try Self.validateIdentifier(customerID, field: "customer id")
        try Self.validateText(customerName, field: "customer name")
        if let installationID { try Self.validateIdentifier(installationID, field: "installation id") }
        guard (1...LicenseClaims.maximumSeats).contains(seats) else {
            throw .invalidValue(field: "seats", value: String(seats), allowed: "1 to \(LicenseClaims.maximumSeats)")
        }
        guard (1...Self.maximumMonths).contains(months) else {
            throw .invalidValue(field: "months", value: String(months), allowed: "1 to \(Self.maximumMonths)")
        }
        guard (0...LicenseClaims.maximumGracePeriodDays).contains(gracePeriodDays) else {
            throw .invalidValue(
                field: "grace days", value: String(gracePeriodDays), allowed: "0 to \(LicenseClaims.maximumGracePeriodDays)")
        }
        if features.isEmpty { return Self.standardFeatures(for: tier).map(\.rawValue) }

        var result: [String] = []
        for name in features {
            if Feature.cloudOnlyNames.contains(name) { throw .cloudOnlyFeature(name) }
            guard Feature(rawValue: name) != nil else { throw .unknownFeature(name) }
            if !result.contains(name) { result.append(name) }
        }
        return result
    }

    /// Ids are 1 to 64 characters of letters, digits, `.`, `_` and `-`, so they are safe
    /// in file names, CSV and log lines.
    static func validateIdentifier(_ value: String, field: String) throws(MintError) {
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !value.isEmpty, value.utf8.count <= 64, allowed else {
            throw .invalidValue(
                field: field, value: value, allowed: "1 to 64 letters, digits, '.', '_' or '-'")
        }
    }

    /// Names are free text without control characters, at most the claim string limit.
    static func validateText(_ value: String, field: String) throws(MintError) {
        let trimmed = value.trimmingWhitespaceAndNewlines()
        guard !trimmed.isEmpty, value.utf8.count <= LicenseClaims.maximumStringLength,
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalidValue(
                field: field, value: value,
                allowed: "1 to \(LicenseClaims.maximumStringLength) bytes of text without control characters")
        }
    }
}

/// A reason a license cannot be issued.
public enum MintError: Error, Equatable, Sendable {
    case invalidValue(field: String, value: String, allowed: String)
    case unknownFeature(String)
    /// A feature that needs the vendor's cloud.
    case cloudOnlyFeature(String)
    /// A term that ends outside the years license times support.
    case timeOutOfRange(Timestamp)
    /// The freshly signed token failed its check before it was recorded.
    case selfCheckFailed(String)
}

extension MintError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidValue(field, value, allowed): return "invalid \(field) '\(value)': expected \(allowed)"
        case .unknownFeature(let name):
            return "unknown feature '\(name)'; known features: "
                + Feature.allCases.map(\.rawValue).joined(separator: ", ")
        case .cloudOnlyFeature(let name):
            return "feature '\(name)' is unavailable air-gapped because it needs the vendor's cloud"
        case .timeOutOfRange(let time):
            return "time \(time.rfc3339) is outside the supported range "
                + "\(Timestamp.supportedRange.lowerBound.rfc3339) to \(Timestamp.supportedRange.upperBound.rfc3339)"
        case .selfCheckFailed(let reason): return "the signed license failed its self-check: \(reason)"
        }
    }
}
