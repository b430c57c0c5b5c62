#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VuptSQLite
import VuptTestSupport

/// The audit and proof commands as a customer or auditor runs them: `vupt-license verify
/// --proof`, `ledger consistency --proof` and `ledger verify` on damaged and read-only copies.
@Suite struct LedgerAuditCLITests {
    /// A time inside the term of licenses minted at `Workspace.issuedAt`.
    static let checkedAt = "2026-06-01T00:00:00Z"

    /// Mints two licenses (entries 1 and 2 after the key at 0) and keeps the checkpoint
    /// written after the first one as `old.note`.
    static func twoLicenses(_ label: String) throws -> Workspace {
        let workspace = try Workspace(label)
        let first = try workspace.mint(out: "first.lic")
        try #require(first.exitCode == 0, "first mint: \(first.standardError)")
        let checkpoint = try workspace.issuer(
            ["ledger", "checkpoint", "--ledger", workspace.ledgerPath, "--out", workspace.path("old.note")])
        try #require(checkpoint.exitCode == 0, "ledger checkpoint: \(checkpoint.standardError)")
        #expect(checkpoint.standardOutput == "signed checkpoint written to \(workspace.path("old.note"))\n")
        let second = try workspace.mint(out: "second.lic")
        try #require(second.exitCode == 0, "second mint: \(second.standardError)")
        return workspace
    }

    static func writeProof(_ workspace: Workspace, serial: String, to name: String) throws {
        let result = try workspace.issuer(
            ["ledger", "proof", serial, "--ledger", workspace.ledgerPath, "--out", workspace.path(name)])
        try #require(result.exitCode == 0, "ledger proof \(serial): \(result.standardError)")
    }

    static func verifyWithProof(_ workspace: Workspace, license: String, proof: String) throws -> TestSupport.ProcessResult {
        try workspace.license(
            ["verify", workspace.path(license), "--proof", workspace.path(proof), "--public-key",
             Workspace.testPublicKeyPath, "--at", checkedAt])
    }

    /// Rewrites a proof file with one bit of its first hash inverted.
    static func tamperFirstHash(_ workspace: Workspace, proof name: String, to tamperedName: String) throws {
        var proof = try #require(
            try JSONSerialization.jsonObject(with: try workspace.read(name)) as? [String: Any], "\(name) is not JSON")
        var hashes = try #require(proof["hashes"] as? [String], "\(name) has no hashes")
        try #require(!hashes.isEmpty, "\(name) has an empty hash list")
        var bytes = [UInt8](try #require(Data(base64Encoded: hashes[0]), "\(name): hash 0 is not base64"))
        bytes[0] ^= 0x01
        hashes[0] = Data(bytes).base64EncodedString()
        proof["hashes"] = hashes
        try workspace.write(tamperedName, try JSONSerialization.data(withJSONObject: proof))
    }

    // MARK: Inclusion proofs

    @Test func licenseProofVerifies() throws {
        let workspace = try Self.twoLicenses("proof-valid")
        defer { workspace.remove() }
        try Self.writeProof(workspace, serial: "VUPT-00000001", to: "first.proof")

        let result = try Self.verifyWithProof(workspace, license: "first.lic", proof: "first.proof")

        #expect(result.exitCode == 0, "\(result.standardError)")
    }

    @Test func proofOfOtherLicenseRejected() throws {
        let workspace = try Self.twoLicenses("proof-other")
        defer { workspace.remove() }
        try Self.writeProof(workspace, serial: "VUPT-00000002", to: "second.proof")

        let result = try Self.verifyWithProof(workspace, license: "first.lic", proof: "second.proof")

        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("second.proof"))
    }

    @Test func tamperedProofRejected() throws {
        let workspace = try Self.twoLicenses("proof-tampered")
        defer { workspace.remove() }
        try Self.writeProof(workspace, serial: "VUPT-00000001", to: "first.proof")
        try Self.tamperFirstHash(workspace, proof: "first.proof", to: "tampered.proof")

        let result = try Self.verifyWithProof(workspace, license: "first.lic", proof: "tampered.proof")

        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("does not verify"))
    }

    // MARK: Consistency proofs

    @Test func consistencyProofChecksOffline() throws {
        let workspace = try Self.twoLicenses("consistency")
        defer { workspace.remove() }
        let written = try workspace.issuer(
            ["ledger", "consistency", "--from", workspace.path("old.note"), "--ledger", workspace.ledgerPath,
             "--out", workspace.path("consistency.json")])
        try #require(written.exitCode == 0, "\(written.standardError)")

        // The check needs no ledger: only the old checkpoint, the proof and the public key.
        let checked = try workspace.issuer(
            ["ledger", "consistency", "--from", workspace.path("old.note"), "--proof",
             workspace.path("consistency.json"), "--public-key", Workspace.testPublicKeyPath,
             "--ledger", workspace.path("absent.sqlite")])

        #expect(checked.exitCode == 0, "\(checked.standardError)")
        #expect(checked.standardOutput.contains("size 3 extends the tree at size 2"))
    }

    @Test func tamperedConsistencyProofRejected() throws {
        let workspace = try Self.twoLicenses("consistency-tampered")
        defer { workspace.remove() }
        let written = try workspace.issuer(
            ["ledger", "consistency", "--from", workspace.path("old.note"), "--ledger", workspace.ledgerPath,
             "--out", workspace.path("consistency.json")])
        try #require(written.exitCode == 0, "\(written.standardError)")
        try Self.tamperFirstHash(workspace, proof: "consistency.json", to: "tampered.json")

        let checked = try workspace.issuer(
            ["ledger", "consistency", "--from", workspace.path("old.note"), "--proof", workspace.path("tampered.json"),
             "--public-key", Workspace.testPublicKeyPath])

        #expect(checked.exitCode == 2)
    }

    // MARK: Audit of copies

    @Test func tamperedCopyFailsAudit() throws {
        let workspace = try Self.twoLicenses("audit-tampered")
        defer { workspace.remove() }
        let copy = workspace.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: workspace.ledgerPath, toPath: copy)
        do {
            let database = try Database(path: copy, create: false)
            try database.execute("""
                DROP TRIGGER licenses_no_update;
                UPDATE licenses SET seats = 999 WHERE serial = 'VUPT-00000001';
                """)
        }

        let intact = try workspace.issuer(
            ["ledger", "verify", "--ledger", workspace.ledgerPath, "--public-key", Workspace.testPublicKeyPath])
        let damaged = try workspace.issuer(
            ["ledger", "verify", "--ledger", copy, "--public-key", Workspace.testPublicKeyPath])

        #expect(intact.exitCode == 0, "\(intact.standardError)")
        #expect(damaged.exitCode == 2)
        #expect(damaged.standardError.contains("edited at entry 1"), "\(damaged.standardError)")

        // The walk stops at the problem, so the JSON report gives no counts or root for it.
        let json = try workspace.issuer(
            ["ledger", "verify", "--ledger", copy, "--public-key", Workspace.testPublicKeyPath, "--json"])
        let report = try #require(jsonObject(json.standardOutput), "not JSON: \(json.standardOutput)")
        #expect(report["intact"] as? Bool == false)
        #expect(report["entries"] is NSNull)
        #expect(report["rootHash"] is NSNull)
        #expect((report["problem"] as? [String: Any])?["index"] as? Int == 1)
    }

    @Test func renewalOfDamagedEntryRefused() throws {
        let workspace = try Self.twoLicenses("renew-damaged")
        defer { workspace.remove() }
        do {
            let database = try Database(path: workspace.ledgerPath, create: false)
            try database.execute("""
                DROP TRIGGER ledger_entries_no_update;
                UPDATE ledger_entries SET entry_bytes = CAST(replace(CAST(entry_bytes AS TEXT), 'acme-001', 'acme-009') AS BLOB)
                WHERE entry_index = 1;
                """)
        }
        let before = try workspace.read("ledger.sqlite")

        let renewed = try workspace.issuer(
            ["renew", "VUPT-00000001", "--key", Workspace.testSecretKeyPath, "--ledger", workspace.ledgerPath,
             "--out", workspace.path("renewal.lic"), "--at", Self.checkedAt])

        #expect(renewed.exitCode == 2, "\(renewed.standardError)")
        #expect(renewed.standardError.contains("does not match its signed checkpoint"), "\(renewed.standardError)")
        #expect(!workspace.fileExists("renewal.lic"))
        #expect(try workspace.read("ledger.sqlite") == before)
    }

    @Test func renewalOfSupersededSerialRefused() throws {
        let workspace = try Self.twoLicenses("renew-superseded")
        defer { workspace.remove() }
        let renew = { (out: String) in
            try workspace.issuer(
                ["renew", "VUPT-00000001", "--key", Workspace.testSecretKeyPath, "--ledger", workspace.ledgerPath,
                 "--out", workspace.path(out), "--at", Self.checkedAt])
        }

        let first = try renew("renewal.lic")
        let second = try renew("again.lic")

        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(second.exitCode == 65, "\(second.standardError)")
        #expect(second.standardError.contains("renew the newest license of its subscription, VUPT-00000003"))
    }

    /// The copy sits in a folder nobody may write, so SQLite cannot create a WAL index
    /// beside it. Root ignores file modes, so as root the audit runs as user `nobody`
    /// through setpriv(1).
    @Test func readOnlyCopyPassesAudit() throws {
        let workspace = try Self.twoLicenses("audit-read-only")
        defer {
            chmod(workspace.path("read-only"), 0o755)
            workspace.remove()
        }
        // Every process has exited, so the ledger's WAL has been checkpointed and removed.
        #expect(!FileManager.default.fileExists(atPath: workspace.ledgerPath + "-wal"))
        let folder = workspace.path("read-only")
        let copy = folder + "/ledger.sqlite"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: workspace.ledgerPath, toPath: copy)
        // The test key folder is private to its owner, so the key is copied where `nobody` can read it.
        let publicKey = workspace.path("vendor.pub")
        try FileManager.default.copyItem(atPath: Workspace.testPublicKeyPath, toPath: publicKey)
        #expect(chmod(workspace.directory.path, 0o755) == 0)
        #expect(chmod(copy, 0o444) == 0)
        #expect(chmod(folder, 0o555) == 0)

        let arguments = ["ledger", "verify", "--ledger", copy, "--public-key", publicKey]
        let result: TestSupport.ProcessResult
        if geteuid() == 0 {
            let issuer = TestSupport.binaryDirectory.appendingPathComponent("vupt-issuer").path
            result = try TestSupport.runProcess(
                URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=65534", "--regid=65534", "--clear-groups", "--", issuer] + arguments,
                environment: ["HOME": "/tmp"])
        } else {
            result = try TestSupport.run("vupt-issuer", arguments)
        }

        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("is intact"))
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: copy + "-shm"))
    }
}
