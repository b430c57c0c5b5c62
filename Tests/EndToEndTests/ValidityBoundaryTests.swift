import Foundation
import Testing
import VuptTestSupport

/// Verdicts at the edges of a license's term, with the instant fixed by `--at`.
struct ValidityBoundaryTests {
    struct Case {
        let at: String
        let verdict: String
        let exitCode: Int32
    }

    /// The license is issued at 2026-01-01T00:00:00Z for 12 months with 30 days of grace:
    /// nbf 2026-01-01T00:00:00Z, exp 2027-01-01T00:00:00Z, grace ends 2027-01-31T00:00:00Z.
    /// The defaults apply: 300 s of clock skew on nbf and a 30-day warning window.
    static let cases: [Case] = [
        Case(at: "2025-12-31T23:54:59Z", verdict: "not-yet-valid", exitCode: 1),
        Case(at: "2025-12-31T23:55:00Z", verdict: "valid", exitCode: 0),
        Case(at: "2026-12-01T23:59:59Z", verdict: "valid", exitCode: 0),
        Case(at: "2026-12-02T00:00:00Z", verdict: "expiring", exitCode: 0),
        Case(at: "2026-12-31T23:59:59Z", verdict: "expiring", exitCode: 0),
        Case(at: "2027-01-01T00:00:00Z", verdict: "grace", exitCode: 0),
        Case(at: "2027-01-01T00:00:01Z", verdict: "grace", exitCode: 0),
        Case(at: "2027-01-30T23:59:59Z", verdict: "grace", exitCode: 0),
        Case(at: "2027-01-31T00:00:00Z", verdict: "expired", exitCode: 1),
        Case(at: "2027-01-31T00:00:01Z", verdict: "expired", exitCode: 1),
    ]

    @Test func verdictsAtTermBoundaries() throws {
        let workspace = try Workspace("boundaries")
        defer { workspace.remove() }
        let minted = try workspace.mint(at: "2026-01-01T00:00:00Z", extra: ["--months", "12", "--grace-days", "30"])
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        for boundary in Self.cases {
            let result = try workspace.verify(at: boundary.at, json: true)
            #expect(result.exitCode == boundary.exitCode, "at \(boundary.at)")
            let json = try #require(jsonObject(result.standardOutput), "at \(boundary.at): not JSON")
            #expect(json["verdict"] as? String == boundary.verdict, "at \(boundary.at)")
            #expect(json["evaluatedAt"] as? String == boundary.at, "at \(boundary.at)")
        }
    }

    /// One second before exp the text output warns; at exp the grace warning names its end.
    @Test func warningsNameExpiryAndGraceEnd() throws {
        let workspace = try Workspace("warnings")
        defer { workspace.remove() }
        let minted = try workspace.mint(at: "2026-01-01T00:00:00Z")
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let expiring = try workspace.verify(at: "2026-12-31T23:59:59Z", json: true)
        let expiringJSON = try #require(jsonObject(expiring.standardOutput))
        #expect(expiringJSON["daysRemaining"] as? Int == 0)
        let expiringWarnings = expiringJSON["warnings"] as? [String] ?? []
        #expect(expiringWarnings.contains { $0.contains("expires at 2027-01-01T00:00:00Z") })

        let grace = try workspace.verify(at: "2027-01-01T00:00:00Z")
        #expect(grace.exitCode == 0)
        #expect(grace.standardOutput.split(separator: "\n").first?.hasPrefix("verdict:      grace") == true)
        #expect(grace.standardError.contains("LICENSE EXPIRED"))
        #expect(grace.standardError.contains("2027-01-31T00:00:00Z"))

        let expired = try workspace.verify(at: "2027-01-31T00:00:00Z", json: true)
        let expiredJSON = try #require(jsonObject(expired.standardOutput))
        #expect(expired.exitCode == 1)
        #expect(expiredJSON["daysRemaining"] as? Int == -30)
    }
}
