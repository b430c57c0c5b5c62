/// Every installed license with its verdict and role at one instant.
public struct StoreReport: Sendable {
    public struct Entry: Sendable {
        public let verdict: LicenseVerdict
        public let role: LicenseRole
    }

    public let storePath: String
    /// Active licenses first, then pending, then superseded; by serial within each.
    public let entries: [Entry]
    public let revocationList: VerifiedRevocationList?
    public let rejectedFiles: [(path: String, error: String)]
    /// The rollback state's time after this check, when the host clock was used.
    public let lastTrustedTime: Timestamp?

    /// The verdict the application acts on: among active licenses, one that permits use,
    /// the one valid longest; otherwise the strongest reason against.
    public var primary: LicenseVerdict? {
        let active = entries.filter { $0.role == .active }.map(\.verdict)
        let usable = active.filter { $0.status.permitsUse }
        if let best = usable.max(by: { ($0.license?.claims.notAfter ?? .init(secondsSince1970: 0)) < ($1.license?.claims.notAfter ?? .init(secondsSince1970: 0)) }) {
            return best
        }
        return active.min { $0.status < $1.status }
    }
}

extension LicenseStore {
    /// Verifies every installed license at the check's instant and assigns roles. A
    /// pending renewal whose term has started becomes active here, with no other step.
    public func check(
        trustedKeys: TrustedKeySet, options: VerificationOptions, clock: inout CheckClock
    ) -> StoreReport {
        let contents = contents(trustedKeys: trustedKeys)
        for license in contents.licenses { clock.noteVerified(issuedAt: license.claims.issuedAt) }
        clock.save()

        let roles = LicenseStore.roles(of: contents.licenses, clock: clock)
        var checkOptions = options
        if let list = contents.revocationList { checkOptions.revokedSerials = list.list.reasonsBySerial }
        for item in roles {
            if let newer = item.supersededBy { checkOptions.supersededSerials[item.license.claims.serial] = newer }
            if item.role == .pending, let previous = item.license.claims.supersedes {
                checkOptions.pendingRenewals[previous] = item.license
            }
        }

        let order: [LicenseRole] = [.active, .pending, .superseded]
        let entries = roles
            .map { StoreReport.Entry(verdict: LicenseVerifier.evaluate($0.license, clock: clock, options: checkOptions), role: $0.role) }
            .sorted {
                let left = order.firstIndex(of: $0.role)!
                let right = order.firstIndex(of: $1.role)!
                if left != right { return left < right }
                return ($0.verdict.license?.claims.serial ?? "") < ($1.verdict.license?.claims.serial ?? "")
            }
        return StoreReport(
            storePath: path, entries: entries, revocationList: contents.revocationList,
            rejectedFiles: contents.rejectedFiles, lastTrustedTime: clock.lastTrustedTime)
    }
}
