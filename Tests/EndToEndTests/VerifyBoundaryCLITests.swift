import Foundation
import Testing
import VuptTestSupport

/// A license that `vupt-issuer mint --at` signed with keys/test/vupt-test.key, in its own
/// temporary folder with its own ledger and license store.
final class MintedTestLicense {
    /// The test key's passphrase, published in keys/README.md.
    static let passphrase = "vupt-test-key-NOT-SECRET"
    static let secretKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.key").path
    static let publicKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.pub").path

    let directory: URL
    var licensePath: String { directory.appendingPathComponent("license.lic").path }
    /// The output of the mint command.
    let mintResult: TestSupport.ProcessResult

    /// Mints a 12-month business license issued at `issuedAt`, with `extraArguments`
    /// added to the mint command line.
    init(issuedAt: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        directory = try TestSupport.makeTemporaryDirectory("vupt-e2e-minted")
        var mintEnvironment = environment
        mintEnvironment["VUPT_ISSUER_PASSPHRASE"] = Self.passphrase
        mintEnvironment["VUPT_OPERATOR"] = "e2e-test"
        mintResult = try TestSupport.run(
            "vupt-issuer",
            ["mint", "--key", Self.secretKeyPath, "--customer", "acme-001", "--customer-name", "Acme Corp",
             "--tier", "business", "--seats", "10", "--ledger", directory.appendingPathComponent("ledger.sqlite").path,
             "--out", directory.appendingPathComponent("license.lic").path, "--at", issuedAt] + extraArguments,
            environment: mintEnvironment)
    }

    deinit { TestSupport.removeTemporaryDirectory(directory) }

    /// Runs `vupt-license verify FILE --public-key … --at TIME --json`, with the store
    /// inside this folder.
    func verify(at instant: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws
        -> TestSupport.ProcessResult
    {
        var verifyEnvironment = environment
        verifyEnvironment["VUPT_LICENSE_STORE"] = directory.appendingPathComponent("store").path
        return try TestSupport.run(
            "vupt-license",
            ["verify", licensePath, "--public-key", Self.publicKeyPath, "--at", instant, "--json"] + extraArguments,
            environment: verifyEnvironment)
    }

    /// Parses the JSON object a `--json` run printed. Returns nil when the output is not one.
    static func jsonObject(_ output: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]
    }
}

/// One `--at` instant and the verdict the command line must give for it.
struct CLIBoundaryCase: Sendable, CustomTestStringConvertible {
    let name: String
    let at: String
    let extraArguments: [String]
    let verdict: String
    let exitCode: Int32
    let daysRemaining: Int

    init(_ name: String, at: String, options extraArguments: [String] = [], _ verdict: String, exit: Int32, days: Int) {
        self.name = name
        self.at = at
        self.extraArguments = extraArguments
        self.verdict = verdict
        self.exitCode = exit
        self.daysRemaining = days
    }

    var testDescription: String { name }
}

/// Verdict boundaries through `vupt-license verify --at`, for a license issued on leap
/// day: nbf 2024-02-29T12:00:00Z, exp 2025-02-28T12:00:00Z, grace ends
/// 2025-03-30T12:00:00Z.
@Suite struct VerifyBoundaryCLITests {
    static let issuedAt = "2024-02-29T12:00:00Z"

    static let cases: [CLIBoundaryCase] = [
        .init("nbf-skew-1", at: "2024-02-29T11:54:59Z", "not-yet-valid", exit: 1, days: 365),
        .init("nbf-skew", at: "2024-02-29T11:55:00Z", "valid", exit: 0, days: 365),
        .init("nbf-1 skew 0", at: "2024-02-29T11:59:59Z", options: ["--clock-skew", "0"], "not-yet-valid", exit: 1, days: 365),
        .init("nbf-skew max skew", at: "2024-02-28T12:00:00Z", options: ["--clock-skew", "86400"], "valid", exit: 0, days: 366),
        .init("exp-window-1", at: "2025-01-29T11:59:59Z", "valid", exit: 0, days: 30),
        .init("exp-window", at: "2025-01-29T12:00:00Z", "expiring", exit: 0, days: 30),
        .init("exp-1", at: "2025-02-28T11:59:59Z", "expiring", exit: 0, days: 0),
        .init("exp-1 warn-days 0", at: "2025-02-28T11:59:59Z", options: ["--warn-days", "0"], "valid", exit: 0, days: 0),
        .init("exp", at: "2025-02-28T12:00:00Z", "grace", exit: 0, days: 0),
        .init("exp+1", at: "2025-02-28T12:00:01Z", "grace", exit: 0, days: -1),
        .init("grace end-1", at: "2025-03-30T11:59:59Z", "grace", exit: 0, days: -30),
        .init("grace end", at: "2025-03-30T12:00:00Z", "expired", exit: 1, days: -30),
    ]

    @Test func leapDayLicenseMints() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)

        #expect(license.mintResult.exitCode == 0, "\(license.mintResult.standardError)")
        #expect(license.mintResult.standardOutput.contains("2024-02-29T12:00:00Z to 2025-02-28T12:00:00Z"))
    }

    @Test func verdictsAtBoundaries() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")

        for row in Self.cases {
            let result = try license.verify(at: row.at, extraArguments: row.extraArguments)
            let json = MintedTestLicense.jsonObject(result.standardOutput)

            #expect(result.exitCode == row.exitCode, "\(row.name): \(result.standardError)")
            #expect(json?["verdict"] as? String == row.verdict, "\(row.name)")
            #expect(json?["evaluatedAt"] as? String == row.at, "\(row.name)")
            #expect(json?["daysRemaining"] as? Int == row.daysRemaining, "\(row.name)")
            #expect(json?["hostTime"] is NSNull, "\(row.name): --at must not read the host clock")
        }
    }

    @Test func zeroGraceGoesStraightToExpired() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt, extraArguments: ["--grace-days", "0"])
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")

        let beforeExpiry = try license.verify(at: "2025-02-28T11:59:59Z")
        let atExpiry = try license.verify(at: "2025-02-28T12:00:00Z")

        #expect(beforeExpiry.exitCode == 0)
        #expect(MintedTestLicense.jsonObject(beforeExpiry.standardOutput)?["verdict"] as? String == "expiring")
        #expect(atExpiry.exitCode == 1)
        #expect(MintedTestLicense.jsonObject(atExpiry.standardOutput)?["verdict"] as? String == "expired")
    }

    /// `--at` leaves no rollback state behind.
    @Test func fixedTimeWritesNoState() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")

        let result = try license.verify(at: "2024-06-01T00:00:00Z")
        let store = license.directory.appendingPathComponent("store").path

        #expect(result.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: store + "/state.json"))
    }

    @Test func clockSkewOutOfRangeExits64() throws {
        let license = try MintedTestLicense(issuedAt: Self.issuedAt)
        try #require(license.mintResult.exitCode == 0, "mint failed: \(license.mintResult.standardError)")

        for skew in ["86401", "-1"] {
            let result = try license.verify(at: "2024-06-01T00:00:00Z", extraArguments: ["--clock-skew", skew])

            #expect(result.exitCode == 64, "--clock-skew \(skew): \(result.standardError)")
            #expect(result.standardOutput.isEmpty, "--clock-skew \(skew)")
        }
    }
}
