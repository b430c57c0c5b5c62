/// The outcome of checking a license, strongest first.
///
/// When several apply, the first in declaration order wins: a revoked license that has
/// also expired is reported as revoked.
public enum VerdictStatus: String, CaseIterable, Sendable, Comparable {
    /// The artifact is unusable: malformed, signature invalid, unknown key and so on.
    case invalid
    /// The vendor revoked the serial in a revocation list.
    case revoked
    /// A newer license of the same subscription is installed.
    case superseded
    /// The license names another installation id.
    case wrongInstallation = "wrong-installation"
    /// The evaluation instant is before `nbf` by more than the clock skew tolerance.
    case notYetValid = "not-yet-valid"
    /// Past `exp` and past the grace period.
    case expired
    /// Past `exp` but within the grace period: still usable, with a loud warning.
    case grace
    /// Valid, with `exp` inside the warning window.
    case expiring
    case valid

    public static func < (lhs: VerdictStatus, rhs: VerdictStatus) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// True when the software may run: valid, expiring or in grace.
    public var permitsUse: Bool { self == .valid || self == .expiring || self == .grace }
}

/// A host clock that was set back behind a time this host has already trusted.
public struct ClockRollback: Equatable, Sendable {
    /// The host clock reading.
    public let hostTime: Timestamp
    /// The time used instead: the last trusted time, or the license's `iat`.
    public let trustedTime: Timestamp
}

/// Everything a caller needs to act on and explain a verification.
public struct LicenseVerdict: Sendable {
    public let status: VerdictStatus
    /// The reason the status is not `valid`, in one sentence, or nil when valid.
    public let reason: String?
    /// The verified license; nil when the artifact itself was rejected.
    public let license: VerifiedLicense?
    /// The rejection, when `status` is `invalid`.
    public let error: ArtifactError?
    /// The single instant all rules were evaluated at.
    public let evaluatedAt: Timestamp
    /// The host clock reading; nil when the caller fixed the instant (`--at`).
    public let hostTime: Timestamp?
    /// Set when the host clock was behind a trusted time by more than the skew tolerance.
    public let clockRollback: ClockRollback?
    public let graceEnds: Timestamp?
    /// Whole days from the evaluation instant to `exp`, rounded down; negative after `exp`.
    public let daysRemaining: Int64?
    public let warnings: [String]
}
