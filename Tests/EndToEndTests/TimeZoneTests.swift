import Foundation
import Testing
import VuptTestSupport

/// Verdicts are decided in UTC: the `TZ` setting changes nothing in the output.
///
/// The zones cover UTC−8, UTC+5:30 and UTC+14, so at every instant below at least one
/// zone is on another calendar day than UTC.
@Suite struct TimeZoneTests {
    static let zones = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"]
    /// Each zone's offset at 2026-03-01T00:00:00Z (1772323200), from the IANA tz database.
    static let offsets = [
        "UTC": "+0000", "America/Los_Angeles": "-0800", "Asia/Kolkata": "+0530", "Pacific/Kiritimati": "+1400",
    ]
    /// The license is issued at 2026-03-01T00:00:00Z: exp 2027-03-01T00:00:00Z, grace
    /// ends 2027-03-31T00:00:00Z.
    static let issuedAt = "2026-03-01T00:00:00Z"
    static let instants = [
        "2026-02-28T23:54:59Z",  // nbf - skew - 1: not-yet-valid
        "2026-03-01T00:00:00Z",  // nbf: valid
        "2026-12-31T23:30:00Z",  // valid, and already 2027 in Kolkata and Kiritimati
        "2027-01-30T00:00:00Z",  // exp - 30 days: expiring
        "2027-02-28T23:59:59Z",  // exp - 1: expiring
        "2027-03-01T00:00:00Z",  // exp: grace
        "2027-03-31T00:00:00Z",  // grace end: expired
    ]

    /// Without the tz database every zone name means UTC and the other tests would
    /// prove nothing, so this checks that each `TZ` value takes effect on this host.
    @Test(arguments: zones)
    func zoneTakesEffect(_ zone: String) throws {
        let result = try TestSupport.runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["date", "-d", "@1772323200", "+%z"], environment: ["TZ": zone])

        #expect(result.exitCode == 0, "\(zone): \(result.standardError)")
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == Self.offsets[zone], "\(zone)")
    }

    @Test func verifyOutputSameInEveryZone() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")

        for instant in Self.instants {
            let reference = try license.verify(at: instant, environment: ["TZ": "UTC"])
            #expect(MintedTestLicense.jsonObject(reference.standardOutput)?["evaluatedAt"] as? String == instant)

            for zone in Self.zones.dropFirst() {
                let result = try license.verify(at: instant, environment: ["TZ": zone])

                #expect(result.standardOutput == reference.standardOutput, "at \(instant) with TZ=\(zone)")
                #expect(result.exitCode == reference.exitCode, "at \(instant) with TZ=\(zone)")
                #expect(result.standardError == reference.standardError, "at \(instant) with TZ=\(zone)")
            }
        }
    }

    /// The verdict strings at these instants, so that identical output is also correct.
    @Test func referenceVerdicts() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")
        let expected = ["not-yet-valid", "valid", "valid", "expiring", "expiring", "grace", "expired"]

        for (instant, verdict) in zip(Self.instants, expected) {
            let result = try license.verify(at: instant, environment: ["TZ": "Pacific/Kiritimati"])

            #expect(MintedTestLicense.jsonObject(result.standardOutput)?["verdict"] as? String == verdict, "at \(instant)")
        }
    }

    /// The issued file, signature included, does not depend on the issuer's `TZ`.
    @Test func mintSameInEveryZone() throws {
        var files: [String: Data] = [:]
        for zone in Self.zones {
            let license = try MintedTestLicense(issuedAt: Self.issuedAt, environment: ["TZ": zone])
            #expect(license.mintResult.exitCode == 0, "TZ=\(zone): \(license.mintResult.standardError)")
            files[zone] = FileManager.default.contents(atPath: license.licensePath)
        }

        let reference = try #require(files["UTC"] ?? nil, "TZ=UTC wrote no license file")
        for zone in Self.zones.dropFirst() {
            #expect(files[zone] == reference, "TZ=\(zone)")
        }
    }

    /// `--at` with a numeric offset names the same instant as its UTC form.
    @Test func offsetInstantSameAsUTC() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")
        let reference = try license.verify(at: "2027-03-01T00:00:00Z", environment: ["TZ": "UTC"])

        for (instant, zone) in [("2027-03-01T05:30:00+05:30", "Asia/Kolkata"), ("2027-02-28T16:00:00-08:00", "America/Los_Angeles")] {
            let result = try license.verify(at: instant, environment: ["TZ": zone])

            #expect(result.exitCode == reference.exitCode, "--at \(instant): \(result.standardError.prefix(200))")
            #expect(result.standardOutput == reference.standardOutput, "--at \(instant)")
        }
    }
}
