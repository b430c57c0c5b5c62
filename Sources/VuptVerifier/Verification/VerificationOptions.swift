/// An option value outside its documented range.
public struct InvalidOptionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let option: String
    public let value: Int64
    public let allowed: ClosedRange<Int64>

    public var description: String {
        "\(option) \(value) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
    }
}

/// Tunable verification rules.
public struct VerificationOptions: Sendable {
    public static let defaultClockSkew: Int64 = 5 * 60
    public static let maximumClockSkew: Int64 = 24 * 3600
    public static let defaultExpiryWarningWindow: Int64 = 30 * 86_400
    public static let maximumExpiryWarningWindow: Int64 = 366 * 86_400

    /// Seconds a host clock may be behind `nbf` or `iat`. It never extends `exp` or grace.
    public let clockSkew: Int64
    /// Seconds before `exp` during which the verdict is `expiring`.
    public let expiryWarningWindow: Int64
    /// This host's installation id. A license bound to another id, or bound to any id
    /// while this is nil, is `wrong-installation`.
    public var installationID: String?
    /// Revoked serials with their reasons, from the newest installed revocation list.
    public var revokedSerials: [String: String]
    /// Serials replaced by a newer installed license of the same subscription, mapped to it.
    public var supersededSerials: [String: String]
    /// Serials whose renewal is installed but has not started yet, mapped to that renewal.
    /// An expiring or expired license then warns about the renewal's start instead of
    /// asking for one.
    public var pendingRenewals: [String: VerifiedLicense] = [:]

    public init(
        clockSkew: Int64 = defaultClockSkew,
        expiryWarningWindow: Int64 = defaultExpiryWarningWindow,
        installationID: String? = nil,
        revokedSerials: [String: String] = [:],
        supersededSerials: [String: String] = [:]
    ) throws(InvalidOptionError) {
        guard (0...VerificationOptions.maximumClockSkew).contains(clockSkew) else {
            throw InvalidOptionError(
                option: "clock skew (seconds)", value: clockSkew, allowed: 0...VerificationOptions.maximumClockSkew)
        }
        guard (0...VerificationOptions.maximumExpiryWarningWindow).contains(expiryWarningWindow) else {
            throw InvalidOptionError(
                option: "expiry warning window (seconds)", value: expiryWarningWindow,
                allowed: 0...VerificationOptions.maximumExpiryWarningWindow)
        }
        self.clockSkew = clockSkew
        self.expiryWarningWindow = expiryWarningWindow
        self.installationID = installationID
        self.revokedSerials = revokedSerials
        self.supersededSerials = supersededSerials
    }

    /// The defaults: 5 minutes of skew and a 30-day warning window.
    public static let standard: VerificationOptions = try! VerificationOptions()
}

/// The source of the evaluation instant.
public enum VerificationTime: Sendable {
    /// The host clock, read once per check. It is subject to rollback detection and is
    /// never earlier than the license's `iat`.
    case hostClock(@Sendable () -> Timestamp)
    /// A fixed instant for what-if and audit questions, used exactly as given. No rollback
    /// state is read or written.
    case fixed(Timestamp)

    /// The system clock.
    public static let system = VerificationTime.hostClock { SystemClock.now() }
}
