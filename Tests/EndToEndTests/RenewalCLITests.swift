import Foundation
import Testing
import VuptTestSupport

/// `vupt-issuer due` and batch `renew` as an account manager reads their output.
@Suite struct RenewalCLITests {
    /// Two licenses for acme-001 issued 2026-01-01, expiring 2027-01-01.
    static func twoLicenses(_ label: String) throws -> Workspace {
        let workspace = try Workspace(label)
        for out in ["first.lic", "second.lic"] {
            let minted = try workspace.mint(out: out)
            try #require(minted.exitCode == 0, "mint \(out): \(minted.standardError)")
        }
        return workspace
    }

    @Test func dueMarksExpiredLicenses() throws {
        let workspace = try Self.twoLicenses("due-expired")
        defer { workspace.remove() }

        let before = try workspace.issuer(["due", "--within", "60", "--ledger", workspace.ledgerPath, "--at", "2026-12-01T00:00:00Z"])
        let after = try workspace.issuer(["due", "--within", "60", "--ledger", workspace.ledgerPath, "--at", "2027-01-10T00:00:00Z"])

        #expect(before.exitCode == 0, "\(before.standardError)")
        #expect(before.standardOutput.contains("10 seats, expires 2027-01-01T00:00:00Z"), "\(before.standardOutput)")
        #expect(after.exitCode == 0, "\(after.standardError)")
        #expect(after.standardOutput.contains("10 seats, expired 2027-01-01T00:00:00Z"), "\(after.standardOutput)")
    }

    @Test func batchRenewalPrintsEachSerial() throws {
        let workspace = try Self.twoLicenses("batch-serials")
        defer { workspace.remove() }

        let renewed = try workspace.issuer(
            ["renew", "--due-within", "60", "--key", Workspace.testSecretKeyPath, "--ledger", workspace.ledgerPath,
             "--out-dir", workspace.path("renewals") + "/", "--at", "2026-12-01T00:00:00Z"])

        #expect(renewed.exitCode == 0, "\(renewed.standardError)")
        let lines = renewed.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("VUPT-00000001 -> VUPT-00000003  ") }, "\(renewed.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("VUPT-00000002 -> VUPT-00000004  ") }, "\(renewed.standardOutput)")
        #expect(lines.contains { $0.hasSuffix("renewals/acme-001-VUPT-00000003.lic") }, "\(renewed.standardOutput)")
        #expect(!renewed.standardOutput.contains("//"), "\(renewed.standardOutput)")
        #expect(workspace.fileExists("renewals/acme-001-VUPT-00000003.lic"))
    }
}
