import Foundation
import Testing
import VuptTestSupport

/// A temporary folder with its own ledger and license store, and the command lines the
/// end-to-end tests run in it. Every command gets `VUPT_LICENSE_STORE` inside the folder,
/// so no test reads or writes the real home folder.
struct Workspace {
    /// The passphrase of keys/test/vupt-test.key, published in keys/README.md.
    static let testPassphrase = "vupt-test-key-NOT-SECRET"
    static let testSecretKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.key").path
    static let testPublicKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.pub").path
    /// The `k4.pid` of keys/test/vupt-test.pub, as pyseto 1.10.0 computes it with
    /// `Key.to_paserk_id()`.
    static let testKeyID = "k4.pid.vYB4c35JzaNBd60Fuf3G7td4__G0OhbMu0wPknddfUUx"
    /// Issuance time for licenses minted by these tests.
    static let issuedAt = "2026-01-01T00:00:00Z"

    let directory: URL

    init(_ label: String) throws {
        directory = try TestSupport.makeTemporaryDirectory("vupt-e2e-\(label)")
    }

    func remove() {
        TestSupport.removeTemporaryDirectory(directory)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    var ledgerPath: String { path("ledger.sqlite") }

    var environment: [String: String] {
        ["VUPT_LICENSE_STORE": path("store"), "VUPT_OPERATOR": "e2e-test"]
    }

    /// Runs `vupt-issuer`. The passphrase is always set, because without one the tool
    /// prompts on the controlling terminal.
    func issuer(_ arguments: [String], passphrase: String = testPassphrase) throws -> TestSupport.ProcessResult {
        var environment = environment
        environment["VUPT_ISSUER_PASSPHRASE"] = passphrase
        return try TestSupport.run("vupt-issuer", arguments, environment: environment)
    }

    func license(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.run("vupt-license", arguments, environment: environment)
    }

    /// Mints a 12-month business license for `acme-001` into this folder's ledger.
    func mint(
        out: String = "license.lic", at: String = issuedAt, tier: String = "business",
        key: String = testSecretKeyPath, passphrase: String = testPassphrase, extra: [String] = []
    ) throws -> TestSupport.ProcessResult {
        try issuer(
            ["mint", "--key", key, "--customer", "acme-001", "--customer-name", "Acme Corp", "--tier", tier,
             "--seats", "10", "--ledger", ledgerPath, "--out", path(out), "--at", at] + extra,
            passphrase: passphrase)
    }

    /// Verifies a license file in this folder, trusting only `publicKey`.
    func verify(
        _ file: String = "license.lic", at: String? = nil, publicKey: String = testPublicKeyPath, json: Bool = false
    ) throws -> TestSupport.ProcessResult {
        var arguments = ["verify", path(file), "--public-key", publicKey]
        if let at { arguments += ["--at", at] }
        if json { arguments.append("--json") }
        return try license(arguments)
    }

    /// Returns the rows of `vupt-issuer ledger list --json`, or nil when the command fails.
    func ledgerRows() throws -> [[String: Any]]? {
        let result = try issuer(["ledger", "list", "--ledger", ledgerPath, "--json"])
        guard result.exitCode == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
    }

    func fileExists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(name))
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name)))
    }

    func write(_ name: String, _ data: Data) throws {
        try data.write(to: URL(fileURLWithPath: path(name)))
    }
}

/// Parses a JSON object printed by `--json`, or returns nil when the text is not one.
func jsonObject(_ text: String) -> [String: Any]? {
    guard let data = text.data(using: .utf8) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// Splits an armored license file into the lines up to BEGIN, the token lines, and the
/// lines from END on. Returns nil when the file has no complete block.
func armoredTokenLines(_ text: String) -> (before: [Substring], token: [Substring], after: [Substring])? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let begin = lines.firstIndex(of: "-----BEGIN VUPT LICENSE-----"),
        let end = lines.firstIndex(of: "-----END VUPT LICENSE-----"), begin < end
    else { return nil }
    return (Array(lines[...begin]), Array(lines[(begin + 1)..<end]), Array(lines[end...]))
}
