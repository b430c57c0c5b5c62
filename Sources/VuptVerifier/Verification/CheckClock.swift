/// The evaluation instant of one check, fixed once and shared by every artifact in it.
///
/// With the host clock it applies the rollback rules of docs/VERIFICATION.md: the stored
/// last trusted time and each license's `iat` are lower bounds. `save()` then raises the
/// stored time to the highest host reading and `iat` seen. With a fixed instant it reads
/// and writes nothing.
public struct CheckClock: Sendable {
    /// The host clock reading; nil for a fixed instant.
    public let hostTime: Timestamp?
    /// The instant before any license's `iat` is applied.
    public let baseInstant: Timestamp
    /// Set when the stored last trusted time overrode the host clock.
    public let stateRollback: ClockRollback?
    public private(set) var warnings: [String] = []
    public let clockSkew: Int64
    let stateFile: String?
    let storedTime: Timestamp?
    private var highestIssuedAt: Timestamp?

    public init(time: VerificationTime, stateFile: String?, clockSkew: Int64) {
        self.clockSkew = clockSkew
        switch time {
        case .fixed(let fixed):
            hostTime = nil
            baseInstant = fixed
            stateRollback = nil
            self.stateFile = nil
            storedTime = nil
            return
        case .hostClock(let now):
            hostTime = now()
        }
        let host = hostTime!
        self.stateFile = stateFile
        var stored: Timestamp?
        if let stateFile {
            switch RollbackState.load(from: stateFile, now: host) {
            case .missing:
                break
            case .loaded(let state):
                stored = state.lastTrustedTime
            case .corrupt(let aside):
                warnings.append(
                    "rollback state \(stateFile) was unreadable; "
                        + (aside.map { "it was moved to \($0) and " } ?? "") + "a fresh state starts")
            }
        }
        storedTime = stored
        // The instant is never earlier than the last trusted time, so setting the clock
        // back by any amount revives nothing. Only a gap beyond the skew tolerance is
        // reported as a rollback, because a smaller one is ordinary clock drift.
        if let stored, host < stored {
            baseInstant = stored
            stateRollback = host.seconds(since: stored) < -clockSkew
                ? ClockRollback(hostTime: host, trustedTime: stored) : nil
        } else {
            stateRollback = nil
            baseInstant = host
        }
    }

    /// Returns the instant for a license issued at `issuedAt`, and the rollback to report with it.
    ///
    /// The vendor signed the license at `iat`, so a host clock further behind than the
    /// tolerance is wrong, and `iat` is the earliest instant that can be true. A fixed
    /// instant is used as given.
    public func instant(forIssuedAt issuedAt: Timestamp) -> (instant: Timestamp, rollback: ClockRollback?) {
        guard let hostTime else { return (baseInstant, nil) }
        if baseInstant.seconds(since: issuedAt) < -clockSkew {
            return (issuedAt, ClockRollback(hostTime: hostTime, trustedTime: issuedAt))
        }
        return (baseInstant, stateRollback)
    }

    /// Records the `iat` of a license whose signature verified.
    public mutating func noteVerified(issuedAt: Timestamp) {
        highestIssuedAt = max(highestIssuedAt ?? issuedAt, issuedAt)
    }

    /// Writes the raised last trusted time; returns a warning when that fails.
    @discardableResult
    public mutating func save() -> String? {
        guard let hostTime, let stateFile else { return nil }
        var highest = max(storedTime ?? hostTime, hostTime)
        if let highestIssuedAt { highest = max(highest, highestIssuedAt) }
        do {
            try RollbackState(lastTrustedTime: highest).save(to: stateFile)
            return nil
        } catch {
            let warning = "rollback state not saved: \(error)"
            warnings.append(warning)
            return warning
        }
    }

    /// The last trusted time as it will be stored, for status displays.
    public var lastTrustedTime: Timestamp? {
        guard let hostTime else { return storedTime }
        var highest = max(storedTime ?? hostTime, hostTime)
        if let highestIssuedAt { highest = max(highest, highestIssuedAt) }
        return highest
    }

    /// Returns a warning that describes a rollback, for the verdict's warnings.
    public static func rollbackWarning(_ rollback: ClockRollback, instant: Timestamp) -> String {
        "clock rollback: the host clock reads \(rollback.hostTime.rfc3339), earlier than the trusted time "
            + "\(rollback.trustedTime.rfc3339); the check used \(instant.rfc3339)"
    }
}
