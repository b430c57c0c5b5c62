import Testing
import VuptVerifier

private let day: Int64 = 86_400

/// The time claims of a test license. `iat` equals `nbf`.
struct LicenseTerm: Sendable {
    let notBefore: Timestamp
    let notAfter: Timestamp
    let graceDays: Int64

    var graceEnds: Timestamp { notAfter.plus(graceDays * day) }

    func claims(serial: String = "VUPT-00000042", installationID: String? = nil) -> LicenseClaims {
        TestLicenses.claims(
            issuedAt: notBefore, notAfter: notAfter, graceDays: graceDays, serial: serial,
            installationID: installationID)
    }

    /// One year from 2026-03-01 with 30 days of grace: grace ends 2027-03-31T00:00:00Z.
    static let standard = LicenseTerm(
        notBefore: TestLicenses.time("2026-03-01T00:00:00Z"), notAfter: TestLicenses.time("2027-03-01T00:00:00Z"),
        graceDays: 30)
    static let noGrace = LicenseTerm(notBefore: standard.notBefore, notAfter: standard.notAfter, graceDays: 0)
    /// Issued on leap day 2024-02-29. Twelve months later is 2025-02-28.
    static let leapDay = LicenseTerm(
        notBefore: TestLicenses.time("2024-02-29T12:00:00Z"), notAfter: TestLicenses.time("2025-02-28T12:00:00Z"),
        graceDays: 30)
    /// A year that contains 2024-02-29, so it is 366 days long.
    static let acrossLeapDay = LicenseTerm(
        notBefore: TestLicenses.time("2023-03-01T00:00:00Z"), notAfter: TestLicenses.time("2024-03-01T00:00:00Z"),
        graceDays: 30)
    /// Expires at 2^31 − 1 seconds, the last second of a signed 32-bit `time_t`.
    static let year2038 = LicenseTerm(
        notBefore: TestLicenses.time("2037-01-19T03:14:07Z"), notAfter: TestLicenses.time("2038-01-19T03:14:07Z"),
        graceDays: 30)
    /// Expires at 2^32 − 1 seconds, the last second of an unsigned 32-bit `time_t`.
    static let year2106 = LicenseTerm(
        notBefore: TestLicenses.time("2105-02-07T06:28:15Z"), notAfter: TestLicenses.time("2106-02-07T06:28:15Z"),
        graceDays: 30)
}

/// One row of the verdict table: a license, the options and an instant.
struct BoundaryCase: Sendable, CustomTestStringConvertible {
    let name: String
    let term: LicenseTerm
    let instant: Timestamp
    let clockSkew: Int64
    let warningWindow: Int64
    let status: VerdictStatus
    let daysRemaining: Int64

    init(
        _ name: String, _ term: LicenseTerm, at instant: Timestamp, skew: Int64 = 300, window: Int64 = 30 * day,
        _ status: VerdictStatus, days: Int64
    ) {
        self.name = name
        self.term = term
        self.instant = instant
        self.clockSkew = skew
        self.warningWindow = window
        self.status = status
        self.daysRemaining = days
    }

    var testDescription: String { name }
}

private let standard = LicenseTerm.standard
private let leap = LicenseTerm.leapDay
private let y2038 = LicenseTerm.year2038
private let y2106 = LicenseTerm.year2106

/// Every boundary of the verdict table at −1 s, 0 and +1 s.
let boundaryCases: [BoundaryCase] = [
    // nbf − skew, default skew 300 s.
    .init("nbf-skew-1 default", standard, at: standard.notBefore.minus(301), .notYetValid, days: 365),
    .init("nbf-skew default", standard, at: standard.notBefore.minus(300), .valid, days: 365),
    .init("nbf-skew+1 default", standard, at: standard.notBefore.minus(299), .valid, days: 365),
    .init("nbf-1", standard, at: standard.notBefore.minus(1), .valid, days: 365),
    .init("nbf", standard, at: standard.notBefore, .valid, days: 365),
    .init("nbf+1", standard, at: standard.notBefore.plus(1), .valid, days: 364),

    // exp − warning window, exp and grace end, default options.
    .init("exp-window-1", standard, at: standard.notAfter.minus(30 * day + 1), .valid, days: 30),
    .init("exp-window", standard, at: standard.notAfter.minus(30 * day), .expiring, days: 30),
    .init("exp-window+1", standard, at: standard.notAfter.minus(30 * day - 1), .expiring, days: 29),
    .init("exp-1", standard, at: standard.notAfter.minus(1), .expiring, days: 0),
    .init("exp", standard, at: standard.notAfter, .grace, days: 0),
    .init("exp+1", standard, at: standard.notAfter.plus(1), .grace, days: -1),
    .init("grace end-1", standard, at: standard.graceEnds.minus(1), .grace, days: -30),
    .init("grace end", standard, at: standard.graceEnds, .expired, days: -30),
    .init("grace end+1", standard, at: standard.graceEnds.plus(1), .expired, days: -31),

    // Custom skew, the maximum skew and no skew.
    .init("nbf-skew-1 skew 3600", standard, at: standard.notBefore.minus(3601), skew: 3600, .notYetValid, days: 365),
    .init("nbf-skew skew 3600", standard, at: standard.notBefore.minus(3600), skew: 3600, .valid, days: 365),
    .init("nbf-skew+1 skew 3600", standard, at: standard.notBefore.minus(3599), skew: 3600, .valid, days: 365),
    .init("nbf-skew-1 max skew", standard, at: standard.notBefore.minus(86_401), skew: 86_400, .notYetValid, days: 366),
    .init("nbf-skew max skew", standard, at: standard.notBefore.minus(86_400), skew: 86_400, .valid, days: 366),
    .init("nbf-skew+1 max skew", standard, at: standard.notBefore.minus(86_399), skew: 86_400, .valid, days: 365),
    .init("nbf-1 skew 0", standard, at: standard.notBefore.minus(1), skew: 0, .notYetValid, days: 365),
    .init("nbf skew 0", standard, at: standard.notBefore, skew: 0, .valid, days: 365),

    // The skew never extends exp or the grace end.
    .init("exp-1 max skew", standard, at: standard.notAfter.minus(1), skew: 86_400, .expiring, days: 0),
    .init("exp max skew", standard, at: standard.notAfter, skew: 86_400, .grace, days: 0),
    .init("grace end-1 max skew", standard, at: standard.graceEnds.minus(1), skew: 86_400, .grace, days: -30),
    .init("grace end max skew", standard, at: standard.graceEnds, skew: 86_400, .expired, days: -30),

    // graceDays 0: exp goes straight to expired.
    .init("exp-1 grace 0", .noGrace, at: standard.notAfter.minus(1), .expiring, days: 0),
    .init("exp grace 0", .noGrace, at: standard.notAfter, .expired, days: 0),
    .init("exp+1 grace 0", .noGrace, at: standard.notAfter.plus(1), .expired, days: -1),

    // Other warning windows.
    .init("exp-1 window 0", standard, at: standard.notAfter.minus(1), window: 0, .valid, days: 0),
    .init("exp window 0", standard, at: standard.notAfter, window: 0, .grace, days: 0),
    .init("exp-7d-1 window 7d", standard, at: standard.notAfter.minus(7 * day + 1), window: 7 * day, .valid, days: 7),
    .init("exp-7d window 7d", standard, at: standard.notAfter.minus(7 * day), window: 7 * day, .expiring, days: 7),

    // Issued on leap day 2024-02-29, expiring 2025-02-28.
    .init("leap nbf-skew-1", leap, at: leap.notBefore.minus(301), .notYetValid, days: 365),
    .init("leap nbf-skew", leap, at: leap.notBefore.minus(300), .valid, days: 365),
    .init("leap nbf", leap, at: leap.notBefore, .valid, days: 365),
    .init("leap exp-window-1", leap, at: TestLicenses.time("2025-01-29T11:59:59Z"), .valid, days: 30),
    .init("leap exp-window", leap, at: TestLicenses.time("2025-01-29T12:00:00Z"), .expiring, days: 30),
    .init("leap exp-1", leap, at: TestLicenses.time("2025-02-28T11:59:59Z"), .expiring, days: 0),
    .init("leap exp", leap, at: TestLicenses.time("2025-02-28T12:00:00Z"), .grace, days: 0),
    .init("leap exp+1", leap, at: TestLicenses.time("2025-02-28T12:00:01Z"), .grace, days: -1),
    .init("leap grace end-1", leap, at: TestLicenses.time("2025-03-30T11:59:59Z"), .grace, days: -30),
    .init("leap grace end", leap, at: TestLicenses.time("2025-03-30T12:00:00Z"), .expired, days: -30),

    // A term that contains 2024-02-29.
    .init("across leap day nbf", .acrossLeapDay, at: LicenseTerm.acrossLeapDay.notBefore, .valid, days: 366),
    .init("across leap day feb 28", .acrossLeapDay, at: TestLicenses.time("2024-02-28T00:00:00Z"), .expiring, days: 2),
    .init("across leap day feb 29", .acrossLeapDay, at: TestLicenses.time("2024-02-29T23:59:59Z"), .expiring, days: 0),

    // exp at the 32-bit time_t limits.
    .init("2038 nbf-skew-1", y2038, at: y2038.notBefore.minus(301), .notYetValid, days: 365),
    .init("2038 exp-1", y2038, at: Timestamp(secondsSince1970: 2_147_483_646), .expiring, days: 0),
    .init("2038 exp", y2038, at: Timestamp(secondsSince1970: 2_147_483_647), .grace, days: 0),
    .init("2038 exp+1", y2038, at: Timestamp(secondsSince1970: 2_147_483_648), .grace, days: -1),
    .init("2038 grace end", y2038, at: y2038.graceEnds, .expired, days: -30),
    .init("2106 exp-1", y2106, at: Timestamp(secondsSince1970: 4_294_967_294), .expiring, days: 0),
    .init("2106 exp", y2106, at: Timestamp(secondsSince1970: 4_294_967_295), .grace, days: 0),
    .init("2106 exp+1", y2106, at: Timestamp(secondsSince1970: 4_294_967_296), .grace, days: -1),
    .init("2106 grace end", y2106, at: y2106.graceEnds, .expired, days: -30),

    // daysRemaining rounds down, on both sides of exp.
    .init("exp-1d-1", standard, at: standard.notAfter.minus(day + 1), .expiring, days: 1),
    .init("exp-1d", standard, at: standard.notAfter.minus(day), .expiring, days: 1),
    .init("exp-1d+1", standard, at: standard.notAfter.minus(day - 1), .expiring, days: 0),
    .init("exp+1d", standard, at: standard.notAfter.plus(day), .grace, days: -1),
    .init("exp+1d+1", standard, at: standard.notAfter.plus(day + 1), .grace, days: -2),
]

@Suite struct VerificationRulesTests {
    let signer = TestSigner.shared

    @Test func boundaryTableIsLarge() {
        #expect(boundaryCases.count >= 40)
        #expect(Set(boundaryCases.map(\.name)).count == boundaryCases.count, "two boundary cases share a name")
    }

    @Test(arguments: boundaryCases)
    func verifyAtBoundary(_ row: BoundaryCase) throws {
        let options = try VerificationOptions(clockSkew: row.clockSkew, expiryWarningWindow: row.warningWindow)
        let verdict = LicenseVerifier.verify(
            licenseBytes: signer.file(row.term.claims()), trustedKeys: signer.trustedKeys, options: options,
            time: .fixed(row.instant), stateFile: nil)

        #expect(verdict.status == row.status, "\(row.name)")
        #expect(verdict.daysRemaining == row.daysRemaining, "\(row.name)")
        #expect(verdict.evaluatedAt == row.instant, "\(row.name)")
        #expect(verdict.graceEnds == row.term.graceEnds, "\(row.name)")
        #expect(verdict.error == nil, "\(row.name)")
        #expect(verdict.hostTime == nil, "\(row.name)")
        #expect(verdict.clockRollback == nil, "\(row.name)")
        #expect((verdict.reason == nil) == (row.status == .valid), "\(row.name): reason \(verdict.reason ?? "nil")")
    }

    @Test(arguments: boundaryCases)
    func evaluateAtBoundary(_ row: BoundaryCase) throws {
        let options = try VerificationOptions(clockSkew: row.clockSkew, expiryWarningWindow: row.warningWindow)
        let license = try signer.verified(row.term.claims())
        let verdict = LicenseVerifier.evaluate(license, at: row.instant, options: options)

        #expect(verdict.status == row.status, "\(row.name)")
        #expect(verdict.daysRemaining == row.daysRemaining, "\(row.name)")
        #expect(verdict.evaluatedAt == row.instant, "\(row.name)")
        #expect(verdict.status.permitsUse == [.valid, .expiring, .grace].contains(row.status), "\(row.name)")
    }

    @Test func expiringWarns() throws {
        let license = try signer.verified(standard.claims())
        let verdict = LicenseVerifier.evaluate(license, at: standard.notAfter.minus(1))

        #expect(verdict.status == .expiring)
        #expect(verdict.warnings.count == 1)
        #expect(verdict.warnings.first?.contains(standard.notAfter.rfc3339) == true, "\(verdict.warnings)")
    }

    @Test func graceWarningGivesGraceEnd() throws {
        let license = try signer.verified(standard.claims())
        let verdict = LicenseVerifier.evaluate(license, at: standard.notAfter)

        #expect(verdict.status == .grace)
        #expect(verdict.warnings.count == 1)
        #expect(verdict.warnings.first?.contains(standard.graceEnds.rfc3339) == true, "\(verdict.warnings)")
        #expect(verdict.reason?.contains(standard.graceEnds.rfc3339) == true, "\(verdict.reason ?? "nil")")
    }

    @Test func expiringWithInstalledRenewalNamesIt() throws {
        let license = try signer.verified(standard.claims())
        let renewal = try signer.verified(renewalClaims(startingAt: standard.notAfter))
        var options = VerificationOptions.standard
        options.pendingRenewals[license.claims.serial] = renewal
        let verdict = LicenseVerifier.evaluate(license, at: standard.notAfter.minus(day), options: options)

        #expect(verdict.status == .expiring)
        #expect(verdict.warnings.count == 1)
        let warning = verdict.warnings.first ?? ""
        #expect(warning.contains("renewal VUPT-00000043 is installed and starts at \(standard.notAfter.rfc3339)"), "\(warning)")
        #expect(!warning.contains("import a renewal"), "\(warning)")
    }

    @Test(arguments: [(10 * day, true), (31 * day, false)])
    func graceWarningNamesInstalledRenewal(startsAfterExpiry: Int64, bridges: Bool) throws {
        let license = try signer.verified(standard.claims())
        let renewal = try signer.verified(renewalClaims(startingAt: standard.notAfter.plus(startsAfterExpiry)))
        var options = VerificationOptions.standard
        options.pendingRenewals[license.claims.serial] = renewal
        let verdict = LicenseVerifier.evaluate(license, at: standard.notAfter.plus(day), options: options)

        #expect(verdict.status == .grace)
        let warning = verdict.warnings.first ?? ""
        #expect(warning.contains("renewal VUPT-00000043 is installed"), "\(warning)")
        #expect(warning.contains("stops working in between") == !bridges, "\(warning)")
        #expect(!warning.contains("unless a renewal is imported"), "\(warning)")
    }

    func renewalClaims(startingAt start: Timestamp) -> LicenseClaims {
        var claims = TestLicenses.claims(
            issuedAt: standard.notBefore.plus(day), notBefore: start, notAfter: start.plus(365 * day),
            serial: "VUPT-00000043")
        claims.sequence = 2
        claims.supersedes = "VUPT-00000042"
        return claims
    }

    @Test func validHasNoWarnings() throws {
        let license = try signer.verified(standard.claims())
        let verdict = LicenseVerifier.evaluate(license, at: standard.notBefore)

        #expect(verdict.status == .valid)
        #expect(verdict.warnings.isEmpty, "\(verdict.warnings)")
    }

    /// The message gives nbf, the evaluation time, the difference and the tolerance as
    /// separate numbers.
    @Test func notYetValidReasonGivesNumbers() throws {
        let license = try signer.verified(standard.claims())
        let instant = standard.notBefore.minus(301)
        let verdict = LicenseVerifier.evaluate(license, at: instant)
        let reason = verdict.reason ?? ""

        #expect(verdict.status == .notYetValid)
        #expect(reason.contains(standard.notBefore.rfc3339), "\(reason)")
        #expect(reason.contains(instant.rfc3339), "\(reason)")
        #expect(reason.contains("301 s"), "\(reason)")
        #expect(reason.contains("300 s"), "\(reason)")
    }

    @Test(arguments: [Int64(0), 1, 300, 86_399, 86_400])
    func skewAccepted(_ skew: Int64) throws {
        let options = try VerificationOptions(clockSkew: skew)
        #expect(options.clockSkew == skew)
    }

    @Test(arguments: [Int64(-1), 86_401, Int64.max, Int64.min])
    func skewRejected(_ skew: Int64) {
        let error = #expect(throws: InvalidOptionError.self) {
            try VerificationOptions(clockSkew: skew)
        }
        #expect(error?.value == skew)
        #expect(error?.allowed == 0...86_400)
    }

    @Test func standardOptions() {
        #expect(VerificationOptions.standard.clockSkew == 300)
        #expect(VerificationOptions.standard.expiryWarningWindow == 30 * day)
        #expect(VerificationOptions.maximumClockSkew == 86_400)
    }
}

/// One row of the precedence table: which status wins when several apply.
struct PrecedenceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let term: LicenseTerm
    let boundTo: String?
    let instant: Timestamp
    let hostInstallation: String?
    let revoked: Bool
    let superseded: Bool
    let status: VerdictStatus

    var testDescription: String { name }
}

/// Two days long, so that the whole term lies inside the 30-day warning window.
private let shortTerm = LicenseTerm(
    notBefore: TestLicenses.time("2026-03-01T00:00:00Z"), notAfter: TestLicenses.time("2026-03-03T00:00:00Z"),
    graceDays: 30)
private let expiredInstant = standard.graceEnds.plus(1)
private let earlyInstant = standard.notBefore.minus(301)

let precedenceCases: [PrecedenceCase] = [
    .init(name: "revoked over all", term: standard, boundTo: "host-a", instant: expiredInstant,
          hostInstallation: "host-b", revoked: true, superseded: true, status: .revoked),
    .init(name: "revoked over valid", term: standard, boundTo: nil, instant: standard.notBefore,
          hostInstallation: nil, revoked: true, superseded: false, status: .revoked),
    .init(name: "revoked over not-yet-valid", term: standard, boundTo: nil, instant: earlyInstant,
          hostInstallation: nil, revoked: true, superseded: false, status: .revoked),
    .init(name: "revoked over grace", term: standard, boundTo: nil, instant: standard.notAfter,
          hostInstallation: nil, revoked: true, superseded: false, status: .revoked),
    .init(name: "superseded over wrong installation", term: standard, boundTo: "host-a", instant: expiredInstant,
          hostInstallation: "host-b", revoked: false, superseded: true, status: .superseded),
    .init(name: "superseded over expiring", term: standard, boundTo: nil, instant: standard.notAfter.minus(1),
          hostInstallation: nil, revoked: false, superseded: true, status: .superseded),
    .init(name: "wrong installation over expired", term: standard, boundTo: "host-a", instant: expiredInstant,
          hostInstallation: "host-b", revoked: false, superseded: false, status: .wrongInstallation),
    .init(name: "wrong installation over not-yet-valid", term: standard, boundTo: "host-a", instant: earlyInstant,
          hostInstallation: "host-b", revoked: false, superseded: false, status: .wrongInstallation),
    .init(name: "wrong installation over valid", term: standard, boundTo: "host-a", instant: standard.notBefore,
          hostInstallation: "host-b", revoked: false, superseded: false, status: .wrongInstallation),
    .init(name: "not-yet-valid over expiring", term: shortTerm, boundTo: nil, instant: shortTerm.notBefore.minus(301),
          hostInstallation: nil, revoked: false, superseded: false, status: .notYetValid),
    .init(name: "expiring inside skew before nbf", term: shortTerm, boundTo: nil,
          instant: shortTerm.notBefore.minus(300), hostInstallation: nil, revoked: false, superseded: false,
          status: .expiring),
    .init(name: "matching installation", term: standard, boundTo: "host-a", instant: standard.notBefore,
          hostInstallation: "host-a", revoked: false, superseded: false, status: .valid),
    .init(name: "unbound license", term: standard, boundTo: nil, instant: standard.notBefore,
          hostInstallation: "host-b", revoked: false, superseded: false, status: .valid),
    .init(name: "matching installation expired", term: standard, boundTo: "host-a", instant: expiredInstant,
          hostInstallation: "host-a", revoked: false, superseded: false, status: .expired),
    .init(name: "bound license, host without id", term: standard, boundTo: "host-a", instant: standard.notBefore,
          hostInstallation: nil, revoked: false, superseded: false, status: .wrongInstallation),
]

extension VerificationRulesTests {
    @Suite struct Precedence {
        let signer = TestSigner.shared
        static let serial = "VUPT-00000042"

        func options(for row: PrecedenceCase) throws -> VerificationOptions {
            try VerificationOptions(
                installationID: row.hostInstallation,
                revokedSerials: row.revoked
                    ? [Self.serial: "key compromise", "VUPT-00000099": "other"] : ["VUPT-00000099": "other"],
                supersededSerials: row.superseded ? [Self.serial: "VUPT-00000043"] : [:])
        }

        @Test(arguments: precedenceCases)
        func precedence(_ row: PrecedenceCase) throws {
            let claims = row.term.claims(serial: Self.serial, installationID: row.boundTo)
            let options = try options(for: row)
            let verified = LicenseVerifier.verify(
                licenseBytes: signer.file(claims), trustedKeys: signer.trustedKeys, options: options,
                time: .fixed(row.instant))
            let evaluated = LicenseVerifier.evaluate(try signer.verified(claims), at: row.instant, options: options)

            #expect(verified.status == row.status, "\(row.name)")
            #expect(evaluated.status == row.status, "\(row.name)")
        }

        @Test func revokedReasonGivesVendorReason() throws {
            let options = try VerificationOptions(revokedSerials: [Self.serial: "key compromise"])
            let verdict = LicenseVerifier.evaluate(
                try signer.verified(standard.claims()), at: standard.notBefore, options: options)

            #expect(verdict.status == .revoked)
            #expect(verdict.status.permitsUse == false)
            #expect(verdict.reason?.contains("key compromise") == true, "\(verdict.reason ?? "nil")")
        }

        @Test func supersededReasonNamesNewer() throws {
            let options = try VerificationOptions(supersededSerials: [Self.serial: "VUPT-00000043"])
            let verdict = LicenseVerifier.evaluate(
                try signer.verified(standard.claims()), at: standard.notBefore, options: options)

            #expect(verdict.status == .superseded)
            #expect(verdict.status.permitsUse == false)
            #expect(verdict.reason?.contains("VUPT-00000043") == true, "\(verdict.reason ?? "nil")")
        }

        @Test func wrongInstallationNamesBoth() throws {
            let options = try VerificationOptions(installationID: "host-b")
            let verdict = LicenseVerifier.evaluate(
                try signer.verified(standard.claims(installationID: "host-a")), at: standard.notBefore, options: options)

            #expect(verdict.status == .wrongInstallation)
            #expect(verdict.status.permitsUse == false)
            #expect(verdict.reason?.contains("host-a") == true, "\(verdict.reason ?? "nil")")
            #expect(verdict.reason?.contains("host-b") == true, "\(verdict.reason ?? "nil")")
        }
    }
}

/// One rejected artifact and the error it must produce.
struct InvalidInputCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: @Sendable (TestSigner) throws -> [UInt8]
    let matches: @Sendable (ArtifactError) -> Bool

    var testDescription: String { name }
}

/// Replaces the character at `offset` from the start of the token's signed part with
/// another base64url character, so the token still decodes.
private func tamper(_ token: String, offset: Int) -> String {
    var characters = Array(token)
    let index = PASETOv4Public.header.count + offset
    characters[index] = characters[index] == "A" ? "B" : "A"
    return String(characters)
}

private func armored(_ token: String) -> [UInt8] {
    Array(ArmoredFile.armor(token: token, kind: .license).utf8)
}

private let validClaims = standard.claims()

let invalidInputCases: [InvalidInputCase] = [
    .init(name: "empty file", bytes: { _ in [] }, matches: { $0 == .noArmoredBlock }),
    .init(name: "binary bytes", bytes: { _ in [0x00, 0xFF, 0x13, 0x37, 0x01, 0x02] }, matches: { $0 == .binary }),
    .init(name: "text without block", bytes: { _ in Array("hello, this is not a license\n".utf8) },
          matches: { $0 == .noArmoredBlock }),
    .init(name: "tampered payload", bytes: { armored(tamper($0.token(validClaims), offset: 20)) },
          matches: { if case .signatureInvalid = $0 { true } else { false } }),
    .init(name: "tampered signature", bytes: { signer in
              let token = signer.token(validClaims)
              let signedPart = token.dropFirst(PASETOv4Public.header.count).prefix { $0 != "." }
              return armored(tamper(token, offset: signedPart.count - 10))
          },
          matches: { if case .signatureInvalid = $0 { true } else { false } }),
    .init(name: "tampered bare token", bytes: { Array(tamper($0.token(validClaims), offset: 30).utf8) },
          matches: { if case .signatureInvalid = $0 { true } else { false } }),
    .init(name: "truncated footer", bytes: { armored(String($0.token(validClaims).dropLast(12))) },
          matches: { if case .invalidEncoding = $0 { true } else { false } }),
    .init(name: "footer dropped", bytes: { signer in
              let token = signer.token(validClaims)
              return armored(String(token[..<token.lastIndex(of: ".")!]))
          },
          matches: { $0 == .missingKeyID }),
    .init(name: "unknown key", bytes: { _ in try TestSigner().file(validClaims) },
          matches: { if case .unknownKey = $0 { true } else { false } }),
    .init(name: "revocation list domain tag",
          bytes: { armored($0.token(validClaims, implicitAssertion: ArtifactKind.revocationList.domainTag)) },
          matches: { if case .signatureInvalid = $0 { true } else { false } }),
    .init(name: "v2 token", bytes: { _ in Array("v2.public.AAAA".utf8) },
          matches: { if case .unsupportedTokenHeader = $0 { true } else { false } }),
]

extension VerificationRulesTests {
    @Suite struct InvalidInput {
        let signer = TestSigner.shared

        @Test(arguments: invalidInputCases)
        func invalidVerdict(_ row: InvalidInputCase) throws {
            let bytes = try row.bytes(signer)
            let verdict = LicenseVerifier.verify(
                licenseBytes: bytes, trustedKeys: signer.trustedKeys, time: .fixed(standard.notBefore))

            #expect(verdict.status == .invalid, "\(row.name)")
            #expect(verdict.status.permitsUse == false, "\(row.name)")
            #expect(verdict.error != nil, "\(row.name)")
            #expect(verdict.error.map(row.matches) == true, "\(row.name): \(String(describing: verdict.error))")
            #expect(verdict.reason == verdict.error?.description, "\(row.name)")
            #expect(verdict.license == nil, "\(row.name)")
            #expect(verdict.daysRemaining == nil, "\(row.name)")
            #expect(verdict.graceEnds == nil, "\(row.name)")
        }

        @Test func untamperedBareTokenIsValid() {
            let verdict = LicenseVerifier.verify(
                licenseBytes: Array(signer.token(validClaims).utf8), trustedKeys: signer.trustedKeys,
                time: .fixed(standard.notBefore))

            #expect(verdict.status == .valid)
            #expect(verdict.error == nil)
        }
    }
}
