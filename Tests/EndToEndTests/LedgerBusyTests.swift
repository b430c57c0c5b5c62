import Foundation
import Testing
import VuptSQLite
import VuptTestSupport

/// A writer blocked by another process's write lock waits the documented time, three
/// attempts of 5 seconds, then exits 75 and records nothing.
@Suite struct LedgerBusyTests {
    @Test func lockedLedgerExits75AfterTimeout() throws {
        let workspace = try Workspace("busy")
        defer { workspace.remove() }
        func mint(_ customer: String) throws -> TestSupport.ProcessResult {
            try workspace.issuer(
                ["mint", "--key", Workspace.testSecretKeyPath, "--customer", customer, "--customer-name", "Busy Co",
                 "--tier", "business", "--seats", "5", "--out", workspace.path("\(customer).lic"),
                 "--ledger", workspace.ledgerPath, "--at", Workspace.issuedAt])
        }
        let first = try mint("first")
        try #require(first.exitCode == 0, "\(first.standardError)")

        let holder = try Database(path: workspace.ledgerPath)
        try holder.execute("BEGIN IMMEDIATE")
        let started = Date()
        let blocked = try mint("second")
        let waited = Date().timeIntervalSince(started)
        try holder.execute("ROLLBACK")

        #expect(blocked.exitCode == 75, "\(blocked.standardError)")
        #expect(blocked.standardError.contains("busy"), "\(blocked.standardError)")
        #expect(waited >= 15, "exit 75 after \(waited) s, before the documented 15 s")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("second.lic")))
        let count = try holder.query("SELECT count(*) FROM licenses").first?.integer(0)
        #expect(count == 1)
    }
}
