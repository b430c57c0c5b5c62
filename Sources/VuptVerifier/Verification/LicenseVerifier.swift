/// The customer-side check: signature, trusted key, claims and the time rules of
/// docs/VERIFICATION.md, returning a verdict value instead of throwing.
public enum LicenseVerifier {
    /// Verifies a license file's bytes and evaluates it at one instant.
    ///
    /// - Parameters:
    ///   - licenseBytes: the file as read, armored or a bare token.
    ///   - trustedKeys: the only keys whose signatures are accepted.
    ///   - options: skew tolerance, warning window and installation-specific facts.
    ///   - time: the host clock, or a fixed instant for what-if questions.
    ///   - stateFile: the rollback state path; nil to neither read nor write state.
    ///     It is ignored for a fixed instant.
    public static func verify(
        licenseBytes: [UInt8],
        trustedKeys: TrustedKeySet,
        options: VerificationOptions = .standard,
        time: VerificationTime = .system,
        stateFile: String? = nil
    ) -> LicenseVerdict {
        let hostTime: Timestamp?
        var instant: Timestamp
        switch time {
        case .hostClock(let now):
            hostTime = now()
            instant = hostTime!
        case .fixed(let fixed):
            hostTime = nil
            instant = fixed
        }

        var warnings: [String] = []
        var rollback: ClockRollback?
        var state: RollbackState?
        let usesState = hostTime != nil && stateFile != nil
        if usesState, let stateFile {
            switch RollbackState.load(from: stateFile) {
            case .missing:
                break
            case .loaded(let loaded):
                state = loaded
            case .corrupt(let aside):
                warnings.append(
                    "rollback state \(stateFile) was unreadable; "
                        + (aside.map { "it was moved to \($0) and " } ?? "") + "a fresh state starts")
            }
        }
        if let state, instant.seconds(since: state.lastTrustedTime) < -options.clockSkew {
            rollback = ClockRollback(hostTime: instant, trustedTime: state.lastTrustedTime)
            instant = state.lastTrustedTime
        }

        let license: VerifiedLicense
        do {
            license = try verifiedLicense(from: licenseBytes, trustedKeys: trustedKeys)
        } catch {
            if usesState, let stateFile, let hostTime {
                saveState(max(state?.lastTrustedTime ?? hostTime, hostTime), to: stateFile, warnings: &warnings)
            }
            return LicenseVerdict(
                status: .invalid, reason: error.description, license: nil, error: error, evaluatedAt: instant,
                hostTime: hostTime, clockRollback: rollback, graceEnds: nil, daysRemaining: nil, warnings: warnings)
        }

        // The vendor signed the license at iat, so a host clock further behind than the
        // skew tolerance is wrong, and iat is the earliest instant that can be true.
        if hostTime != nil, instant.seconds(since: license.claims.issuedAt) < -options.clockSkew {
            rollback = ClockRollback(hostTime: rollback?.hostTime ?? instant, trustedTime: license.claims.issuedAt)
            instant = license.claims.issuedAt
        }
        if let rollback {
            warnings.append(
                "clock rollback: the host clock reads \(rollback.hostTime.rfc3339), earlier than the trusted time "
                    + "\(rollback.trustedTime.rfc3339); the check used \(instant.rfc3339)")
        }
        if usesState, let stateFile, let hostTime {
            let highest = max(state?.lastTrustedTime ?? hostTime, hostTime, license.claims.issuedAt)
            saveState(highest, to: stateFile, warnings: &warnings)
        }

        return evaluate(
            license, at: instant, hostTime: hostTime, options: options, rollback: rollback, warnings: warnings)
    }

    /// Applies the verdict rules to a verified license at a fixed instant. It reads no
    /// clock and no state, so the same inputs always give the same verdict.
    public static func evaluate(
        _ license: VerifiedLicense,
        at instant: Timestamp,
        hostTime: Timestamp? = nil,
        options: VerificationOptions = .standard,
        rollback: ClockRollback? = nil,
        warnings initialWarnings: [String] = []
    ) -> LicenseVerdict {
        let claims = license.claims
        var warnings = initialWarnings
        let graceEnds = claims.graceEnds
        let secondsToExpiry = claims.notAfter.seconds(since: instant)
        let daysRemaining = secondsToExpiry >= 0 ? secondsToExpiry / 86_400 : -((-secondsToExpiry + 86_399) / 86_400)

        let status: VerdictStatus
        var reason: String?
        if let revocationReason = options.revokedSerials[claims.serial] {
            status = .revoked
            reason = "license \(claims.serial) was revoked by the vendor: \(revocationReason)"
        } else if let newer = options.supersededSerials[claims.serial] {
            status = .superseded
            reason = "license \(claims.serial) is superseded by \(newer)"
        } else if let required = claims.installationID, let host = options.installationID, required != host {
            status = .wrongInstallation
            reason = "license \(claims.serial) is bound to installation \(required), this host is \(host)"
        } else if instant.seconds(since: claims.notBefore) < -options.clockSkew {
            status = .notYetValid
            let ahead = claims.notBefore.seconds(since: instant)
            reason = "not valid before \(claims.notBefore.rfc3339): the evaluation time is \(instant.rfc3339), "
                + "\(ahead) s earlier, and the clock skew tolerance is \(options.clockSkew) s"
        } else if instant < claims.notAfter {
            if secondsToExpiry <= options.expiryWarningWindow {
                status = .expiring
                reason = "license expires at \(claims.notAfter.rfc3339), in \(daysRemaining) days"
                warnings.append("license \(claims.serial) expires at \(claims.notAfter.rfc3339); import a renewal")
            } else {
                status = .valid
            }
        } else if instant < graceEnds {
            status = .grace
            reason = "license expired at \(claims.notAfter.rfc3339); the grace period ends at \(graceEnds.rfc3339)"
            warnings.append(
                "LICENSE EXPIRED at \(claims.notAfter.rfc3339). The software stops working at "
                    + "\(graceEnds.rfc3339) unless a renewal is imported.")
        } else {
            status = .expired
            reason = claims.gracePeriodDays > 0
                ? "license expired at \(claims.notAfter.rfc3339) and its grace period ended at \(graceEnds.rfc3339)"
                : "license expired at \(claims.notAfter.rfc3339)"
        }

        return LicenseVerdict(
            status: status, reason: reason, license: license, error: nil, evaluatedAt: instant, hostTime: hostTime,
            clockRollback: rollback, graceEnds: graceEnds, daysRemaining: daysRemaining, warnings: warnings)
    }

    /// Accepts an armored file or a bare token.
    static func verifiedLicense(from bytes: [UInt8], trustedKeys: TrustedKeySet) throws(ArtifactError) -> VerifiedLicense {
        let text = try ArmoredFile.decodeText(bytes)
        let bare = Substring(text).trimmingWhitespaceAndNewlines()
        if bare.hasPrefix("v4.") || bare.hasPrefix("v1.") || bare.hasPrefix("v2.") || bare.hasPrefix("v3."),
            !bare.contains("\n")
        {
            return try ArtifactVerifier.verifyLicense(token: String(bare), trustedKeys: trustedKeys)
        }
        return try ArtifactVerifier.verifyLicenseFile(bytes, trustedKeys: trustedKeys)
    }

    private static func saveState(_ time: Timestamp, to path: String, warnings: inout [String]) {
        do {
            try RollbackState(lastTrustedTime: time).save(to: path)
        } catch {
            warnings.append("rollback state not saved: \(error)")
        }
    }
}
