import Foundation
import Testing
import VuptTestSupport

/// Minting with the test key into a real SQLite ledger, then verifying as a customer.
struct MintAndVerifyTests {
    @Test func mintThenVerifyIsValid() throws {
        let workspace = try Workspace("mint-verify")
        defer { workspace.remove() }

        let minted = try workspace.mint(extra: ["--feature", "desktop-app", "--feature", "kanban"])
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        #expect(minted.standardOutput.contains("issued VUPT-00000001"))

        let text = try workspace.verify(at: "2026-06-01T00:00:00Z")
        #expect(text.exitCode == 0, "verify failed: \(text.standardError)")
        let firstLine = text.standardOutput.split(separator: "\n").first ?? ""
        #expect(firstLine.split(separator: " ") == ["verdict:", "valid"])

        let result = try workspace.verify(at: "2026-06-01T00:00:00Z", json: true)
        #expect(result.exitCode == 0)
        let json = try #require(jsonObject(result.standardOutput), "not JSON: \(result.standardOutput)")
        #expect(json["verdict"] as? String == "valid")
        #expect(json["serial"] as? String == "VUPT-00000001")
        #expect(json["customer"] as? String == "acme-001")
        #expect(json["tier"] as? String == "business")
        #expect(json["features"] as? [String] == ["desktop-app", "kanban"])
        #expect(json["seats"] as? Int == 10)
        #expect(json["notBefore"] as? String == "2026-01-01T00:00:00Z")
        #expect(json["notAfter"] as? String == "2027-01-01T00:00:00Z")
        #expect(json["keyId"] as? String == Workspace.testKeyID)
        #expect(json["warnings"] as? [String] == [])
        #expect(json["keySource"] as? String == "command-line")
    }

    @Test func mintRecordsLedgerRow() throws {
        let workspace = try Workspace("ledger-row")
        defer { workspace.remove() }

        let minted = try workspace.mint(at: "2026-03-15T10:30:00Z", tier: "enterprise")
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let rows = try #require(try workspace.ledgerRows())
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row["serial"] as? String == "VUPT-00000001")
        #expect(row["customer"] as? String == "acme-001")
        #expect(row["tier"] as? String == "enterprise")
        #expect(row["issuedAt"] as? String == "2026-03-15T10:30:00Z")
        #expect(row["notAfter"] as? String == "2027-03-15T10:30:00Z")
        #expect(row["keyId"] as? String == Workspace.testKeyID)
        #expect(row["operator"] as? String == "e2e-test")
    }

    /// The ledger stores the token, so `export` rewrites a license without the key.
    @Test func exportRewritesIdenticalLicense() throws {
        let workspace = try Workspace("export")
        defer { workspace.remove() }

        let minted = try workspace.mint()
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let exported = try workspace.issuer(
            ["export", "VUPT-00000001", "--ledger", workspace.ledgerPath, "--out", workspace.path("again.lic")])
        #expect(exported.exitCode == 0, "export failed: \(exported.standardError)")
        #expect(try workspace.read("again.lic") == workspace.read("license.lic"))

        let existing = try workspace.issuer(
            ["export", "VUPT-00000001", "--ledger", workspace.ledgerPath, "--out", workspace.path("license.lic")])
        #expect(existing.exitCode == 73)
        #expect(existing.standardError.contains("already exists"))

        let unknown = try workspace.issuer(
            ["export", "VUPT-00000099", "--ledger", workspace.ledgerPath, "--out", workspace.path("none.lic")])
        #expect(unknown.exitCode == 66)
        #expect(!workspace.fileExists("none.lic"))
    }
}

/// Requests that mint rejects before anything is recorded or written.
struct MintRejectionTests {
    @Test func mintRejectsCloudOnlyFeature() throws {
        let workspace = try Workspace("cloud-feature")
        defer { workspace.remove() }
        let first = try workspace.mint(out: "first.lic")
        #expect(first.exitCode == 0, "mint failed: \(first.standardError)")

        let result = try workspace.mint(out: "cloud.lic", extra: ["--feature", "cloud-sync"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("cloud-sync"))
        #expect(result.standardError.contains("unavailable air-gapped"))
        #expect(!workspace.fileExists("cloud.lic"))
        let rows = try #require(try workspace.ledgerRows())
        #expect(rows.count == 1)
    }

    @Test func mintRejectsFreeTier() throws {
        let workspace = try Workspace("free-tier")
        defer { workspace.remove() }

        let result = try workspace.mint(tier: "free")
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("'free'"))
        #expect(!workspace.fileExists("license.lic"))
        #expect(!workspace.fileExists("ledger.sqlite"))
    }

    /// A wrong passphrase would exit 77, so exit 73 shows the output check ran first.
    @Test func mintRejectsExistingOutputFirst() throws {
        let workspace = try Workspace("existing-out")
        defer { workspace.remove() }
        let original = Data("not a license\n".utf8)
        try workspace.write("license.lic", original)

        let result = try workspace.mint(passphrase: "wrong passphrase")
        #expect(result.exitCode == 73)
        #expect(result.standardError.contains("already exists"))
        #expect(try workspace.read("license.lic") == original)
        #expect(!workspace.fileExists("ledger.sqlite"))
    }

    @Test func wrongPassphraseLeavesNoRow() throws {
        let workspace = try Workspace("wrong-passphrase")
        defer { workspace.remove() }
        let first = try workspace.mint(out: "first.lic")
        #expect(first.exitCode == 0, "mint failed: \(first.standardError)")

        let result = try workspace.mint(out: "second.lic", passphrase: "vupt-test-key-WRONG")
        #expect(result.exitCode == 77)
        #expect(result.standardError.contains("wrong passphrase"))
        #expect(!workspace.fileExists("second.lic"))
        let rows = try #require(try workspace.ledgerRows())
        #expect(rows.count == 1)
        #expect(rows.first?["serial"] as? String == "VUPT-00000001")
    }

    @Test func emptyPassphraseIsRejected() throws {
        let workspace = try Workspace("empty-passphrase")
        defer { workspace.remove() }

        let fromEnvironment = try workspace.issuer(
            ["keys", "generate", "--out", workspace.path("keys")], passphrase: "")
        #expect(fromEnvironment.exitCode == 64)
        #expect(fromEnvironment.standardError.contains("empty"))
        #expect(!workspace.fileExists("keys/vupt-signing.key"))

        try workspace.write("passphrase.txt", Data("\n".utf8))
        let fromFile = try workspace.issuer(
            ["keys", "generate", "--out", workspace.path("keys"), "--passphrase-file", workspace.path("passphrase.txt")])
        #expect(fromFile.exitCode == 64)
        #expect(fromFile.standardError.contains("empty"))
        #expect(!workspace.fileExists("keys/vupt-signing.key"))

        let mint = try workspace.mint(passphrase: "")
        #expect(mint.exitCode == 64)
        #expect(mint.standardError.contains("empty"))
        #expect(!workspace.fileExists("license.lic"))
        #expect(!workspace.fileExists("ledger.sqlite"))
    }
}
