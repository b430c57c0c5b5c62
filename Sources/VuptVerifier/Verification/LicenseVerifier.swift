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
        var clock = CheckClock(time: time, stateFile: stateFile, clockSkew: options.clockSkew)
        let verdict: LicenseVerdict
        do {
            let license = try verifiedLicense(from: licenseBytes, trustedKeys: trustedKeys)
            clock.noteVerified(issuedAt: license.claims.issuedAt)
            clock.save()
            verdict = evaluate(license, clock: clock, options: options)
        } catch {
            clock.save()
            verdict = invalidVerdict(error, clock: clock)
        }
        return verdict
    }

    /// Returns the verdict for an artifact that was rejected before any time rule applied.
    public static func invalidVerdict(_ error: ArtifactError, clock: CheckClock) -> LicenseVerdict {
        var warnings = clock.warnings
        if let rollback = clock.stateRollback {
            warnings.append(CheckClock.rollbackWarning(rollback, instant: clock.baseInstant))
        }
        return LicenseVerdict(
            status: .invalid, reason: error.description, license: nil, error: error, evaluatedAt: clock.baseInstant,
            hostTime: clock.hostTime, clockRollback: clock.stateRollback, graceEnds: nil, daysRemaining: nil,
            warnings: warnings)
    }

    /// Applies the verdict rules at the check's instant for this license.
    public static func evaluate(
        _ license: VerifiedLicense, clock: CheckClock, options: VerificationOptions
    ) -> LicenseVerdict {
        let (instant, rollback) = clock.instant(forIssuedAt: license.claims.issuedAt)
        var warnings = clock.warnings
        if let rollback { warnings.append(CheckClock.rollbackWarning(rollback, instant: instant)) }
        return evaluate(
            license, at: instant, hostTime: clock.hostTime, options: options, rollback: rollback, warnings: warnings)
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
        } else if let required = claims.installationID, required != options.installationID {
            status = .wrongInstallation
            reason = options.installationID.map {
                "license \(claims.serial) is bound to installation \(required), this host is \($0)"
            } ?? "license \(claims.serial) is bound to installation \(required), and this host has no installation id "
                + "configured (VUPT_INSTALLATION_ID)"
        } else if instant.seconds(since: claims.notBefore) < -options.clockSkew {
            status = .notYetValid
            let ahead = claims.notBefore.seconds(since: instant)
            reason = "not valid before \(claims.notBefore.rfc3339): the evaluation time is \(instant.rfc3339), "
                + "\(ahead) s earlier, and the clock skew tolerance is \(options.clockSkew) s"
        } else if instant < claims.notAfter {
            if secondsToExpiry <= options.expiryWarningWindow {
                status = .expiring
                reason = "license expires at \(claims.notAfter.rfc3339), in \(counted(daysRemaining, "day"))"
                if let renewal = options.pendingRenewals[claims.serial]?.claims {
                    warnings.append(
                        "license \(claims.serial) expires at \(claims.notAfter.rfc3339); its renewal \(renewal.serial) "
                            + "is installed and starts at \(renewal.notBefore.rfc3339)")
                } else {
                    warnings.append("license \(claims.serial) expires at \(claims.notAfter.rfc3339); import a renewal")
                }
            } else {
                status = .valid
            }
        } else if instant < graceEnds {
            status = .grace
            reason = "license expired at \(claims.notAfter.rfc3339); the grace period ends at \(graceEnds.rfc3339)"
            if let renewal = options.pendingRenewals[claims.serial]?.claims {
                let handOver = renewal.notBefore <= graceEnds
                    ? "which is before the grace period ends at \(graceEnds.rfc3339)"
                    : "after the grace period ends at \(graceEnds.rfc3339), so the software stops working in between"
                warnings.append(
                    "LICENSE EXPIRED at \(claims.notAfter.rfc3339). Its renewal \(renewal.serial) is installed and "
                        + "starts at \(renewal.notBefore.rfc3339), \(handOver).")
            } else {
                warnings.append(
                    "LICENSE EXPIRED at \(claims.notAfter.rfc3339). The software stops working at "
                        + "\(graceEnds.rfc3339) unless a renewal is imported.")
            }
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
    public static func verifiedLicense(from bytes: [UInt8], trustedKeys: TrustedKeySet) throws(ArtifactError) -> VerifiedLicense {
        let text = try ArmoredFile.decodeText(bytes)
        let bare = Substring(text).trimmingWhitespaceAndNewlines()
        if bare.hasPrefix("v4.") || bare.hasPrefix("v1.") || bare.hasPrefix("v2.") || bare.hasPrefix("v3."),
            !bare.contains("\n")
        {
            return try ArtifactVerifier.verifyLicense(token: String(bare), trustedKeys: trustedKeys)
        }
        return try ArtifactVerifier.verifyLicenseFile(bytes, trustedKeys: trustedKeys)
    }
}
