import Foundation
import Testing
import VuptTestSupport

/// Revocation from the vendor's `revoke` and `revocations` to the customer's `import`,
/// `verify` and `status`, as docs/RENEWALS.md describes it.
struct RevocationEndToEndTests {
    static let reason = "contract terminated"

    @Test func revokedSerialReportedRevoked() throws {
        let workspace = try StoreWorkspace("revoked")
        defer { workspace.remove() }
        let steps: [(name: String, run: () throws -> TestSupport.ProcessResult)] = [
            ("mint acme", { try workspace.mint(customer: "acme-001", out: "acme.lic", issuedAt: workspace.time(days: -1)) }),
            ("mint globex", {
                try workspace.mint(customer: "globex-002", out: "globex.lic", issuedAt: workspace.time(days: -1))
            }),
            ("revoke", { try workspace.revoke("VUPT-00000001", reason: Self.reason, at: workspace.time(days: -0.5)) }),
            ("revocations", { try workspace.revocations(out: "list.rvl", at: workspace.time(days: -0.25)) }),
        ]
        for step in steps {
            let result = try step.run()
            try #require(result.exitCode == 0, "\(step.name) failed: \(result.standardError)")
        }

        // A USB stick with the licenses in a subfolder and the list at the top. Import
        // installs revocation lists before licenses, whatever the file order, so the
        // revoked license is refused and the other one installed.
        try workspace.write("usb/licenses/acme.lic", Array(try workspace.read("acme.lic")))
        try workspace.write("usb/licenses/globex.lic", Array(try workspace.read("globex.lic")))
        try workspace.write("usb/vupt-revocations.rvl", Array(try workspace.read("list.rvl")))
        let imported = try workspace.importArtifacts([workspace.path("usb")])
        #expect(imported.run.exitCode == 1, "\(imported.run.standardOutput)")
        #expect(imported.results?.map { $0["outcome"] as? String } == ["refused", "accepted", "accepted"])
        #expect(imported.results?.map { $0["kind"] as? String } == ["license", "license", "revocation list"])
        let refusedMessage = imported.results?.first?["message"] as? String ?? ""
        #expect(refusedMessage.contains("revoked by the vendor: \(Self.reason)"), "\(refusedMessage)")

        let revoked = try workspace.verify(workspace.path("acme.lic"))
        #expect(revoked.run.exitCode == 1, "\(revoked.run.standardOutput)")
        #expect(revoked.verdict?["verdict"] as? String == "revoked")
        let revokedReason = revoked.verdict?["reason"] as? String ?? ""
        #expect(revokedReason.contains(Self.reason), "\(revokedReason)")
        let other = try workspace.verify(workspace.path("globex.lic"))
        #expect(other.run.exitCode == 0, "\(other.run.standardOutput)")
        #expect(other.verdict?["verdict"] as? String == "valid")

        let status = try workspace.status()
        #expect(status.run.exitCode == 0, "\(status.run.standardOutput)")
        #expect(StoreWorkspace.entry(status.report, serial: "VUPT-00000001") == nil)
        #expect(StoreWorkspace.entry(status.report, serial: "VUPT-00000002")?["verdict"] as? String == "valid")
        #expect((status.report?["revocationList"] as? [String: Any])?["number"] as? Int == 1)

        // A license installed before its revocation list arrives is reported revoked.
        let early = try workspace.importArtifacts([workspace.path("acme.lic")], store: "store-revoked")
        #expect(early.run.exitCode == 0, "\(early.run.standardOutput)")
        let list = try workspace.importArtifacts([workspace.path("list.rvl")], store: "store-revoked")
        #expect(list.run.exitCode == 0, "\(list.run.standardOutput)")
        let aloneStatus = try workspace.status(store: "store-revoked")
        #expect(aloneStatus.run.exitCode == 1, "\(aloneStatus.run.standardOutput)")
        let listed = StoreWorkspace.entry(aloneStatus.report, serial: "VUPT-00000001")
        #expect(listed?["verdict"] as? String == "revoked")
        #expect((listed?["reason"] as? String)?.contains(Self.reason) == true)
        let installed = try workspace.verify(store: "store-revoked")
        #expect(installed.run.exitCode == 1, "\(installed.run.standardOutput)")
        #expect(installed.verdict?["verdict"] as? String == "revoked")
        #expect((installed.verdict?["reason"] as? String)?.contains(Self.reason) == true)
        let text = try workspace.license("status", store: "store-revoked")
        let line = text.standardOutput.split(separator: "\n").first { $0.hasPrefix("active VUPT-00000001: revoked") }
        #expect(line?.contains(Self.reason) == true, "\(text.standardOutput)")

        // With the list installed first, the revoked license is not installed at all.
        let listFirst = try workspace.importArtifacts([workspace.path("list.rvl")], store: "store-list-first")
        #expect(listFirst.run.exitCode == 0, "\(listFirst.run.standardOutput)")
        let late = try workspace.importArtifacts([workspace.path("acme.lic")], store: "store-list-first")
        #expect(late.run.exitCode == 1, "\(late.run.standardOutput)")
        #expect(late.results?.first?["outcome"] as? String == "refused")
        let refusal = late.results?.first?["message"] as? String ?? ""
        #expect(refusal.contains("revoked by the vendor: \(Self.reason)"), "\(refusal)")
        #expect(workspace.installedFiles(store: "store-list-first") == [])
    }

    @Test func olderRevocationListRefused() throws {
        let workspace = try StoreWorkspace("older-list")
        defer { workspace.remove() }
        for (out, days) in [("list-1.rvl", -0.5), ("list-2.rvl", -0.25)] {
            let minted = try workspace.revocations(out: out, at: workspace.time(days: days))
            try #require(minted.exitCode == 0, "\(out) failed: \(minted.standardError)")
        }

        let newer = try workspace.importArtifacts([workspace.path("list-2.rvl")])
        #expect(newer.run.exitCode == 0, "\(newer.run.standardOutput)")
        #expect(newer.results?.first?["outcome"] as? String == "accepted")
        let older = try workspace.importArtifacts([workspace.path("list-1.rvl")])
        #expect(older.run.exitCode == 1, "\(older.run.standardOutput)")
        #expect(older.results?.first?["outcome"] as? String == "refused")
        #expect(older.results?.first?["message"] as? String == "revocation list 1 is older than the installed list 2")
        let same = try workspace.importArtifacts([workspace.path("list-2.rvl")])
        #expect(same.run.exitCode == 0, "\(same.run.standardOutput)")
        #expect(same.results?.first?["outcome"] as? String == "already-installed")
        let status = try workspace.status()
        #expect((status.report?["revocationList"] as? [String: Any])?["number"] as? Int == 2)

        let inOrder = try workspace.importArtifacts(
            [workspace.path("list-1.rvl"), workspace.path("list-2.rvl")], store: "store-in-order")
        #expect(inOrder.run.exitCode == 0, "\(inOrder.run.standardOutput)")
        #expect(inOrder.results?.map { $0["outcome"] as? String } == ["accepted", "accepted"])
        let inOrderStatus = try workspace.status(store: "store-in-order")
        #expect((inOrderStatus.report?["revocationList"] as? [String: Any])?["number"] as? Int == 2)
    }

    @Test func untrustedListRejected() throws {
        let workspace = try StoreWorkspace("untrusted-list")
        defer { workspace.remove() }
        let generated = try workspace.issuer(["keys", "generate", "--out", workspace.path("other-key"), "--name", "other"])
        try #require(generated.exitCode == 0, "keys generate failed: \(generated.standardError)")
        let keyID = try #require(
            generated.standardOutput.split(separator: "\n").first { $0.hasPrefix("key id:") }?
                .split(separator: " ").last.map(String.init),
            "no key id in: \(generated.standardOutput)")
        let minted = try workspace.revocations(
            out: "other.rvl", at: workspace.time(days: -0.25), key: workspace.path("other-key/other.key"),
            ledger: workspace.path("other-ledger.sqlite"))
        try #require(minted.exitCode == 0, "revocations failed: \(minted.standardError)")

        let imported = try workspace.importArtifacts([workspace.path("other.rvl")])
        #expect(imported.run.exitCode == 2, "\(imported.run.standardOutput)")
        #expect(imported.results?.first?["outcome"] as? String == "rejected")
        let message = imported.results?.first?["message"] as? String ?? ""
        #expect(message.contains("unknown key \(keyID)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("store/revocations.rvl")))
    }

    /// The armor label picks the kind, and the domain tag in the signature pins it, so a
    /// token under the other kind's label is rejected as the wrong kind. A renamed file
    /// keeps its label and is read as the kind its label names.
    @Test func relabeledArtifactIsWrongKind() throws {
        let workspace = try StoreWorkspace("wrong-kind")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "acme.lic", issuedAt: workspace.time(days: -1))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let listed = try workspace.revocations(out: "list.rvl", at: workspace.time(days: -0.25))
        try #require(listed.exitCode == 0, "revocations failed: \(listed.standardError)")

        let licenseToken = try #require(ArmorText.token(in: try workspace.readText("acme.lic")))
        let listToken = try #require(
            ArmorText.token(in: try workspace.readText("list.rvl"), label: "VUPT REVOCATION LIST"))
        try workspace.write(
            "license-as-list.rvl", ArmorText.armor(licenseToken, width: 64, label: "VUPT REVOCATION LIST"))
        try workspace.write("list-as-license.lic", ArmorText.armor(listToken, width: 64, label: "VUPT LICENSE"))

        let licenseAsList = try workspace.importArtifacts([workspace.path("license-as-list.rvl")])
        #expect(licenseAsList.run.exitCode == 2, "\(licenseAsList.run.standardOutput)")
        #expect(licenseAsList.results?.first?["outcome"] as? String == "rejected")
        #expect(
            licenseAsList.results?.first?["message"] as? String
                == "wrong kind: expected a revocation list, found license")

        let listAsLicense = try workspace.importArtifacts([workspace.path("list-as-license.lic")])
        #expect(listAsLicense.run.exitCode == 2, "\(listAsLicense.run.standardOutput)")
        #expect(listAsLicense.results?.first?["outcome"] as? String == "rejected")
        #expect(
            listAsLicense.results?.first?["message"] as? String
                == "wrong kind: expected a license, found revocation list")
        #expect(workspace.installedFiles() == [])
        #expect(!FileManager.default.fileExists(atPath: workspace.path("store/revocations.rvl")))

        let verifyRelabeled = try workspace.verify(workspace.path("list-as-license.lic"))
        #expect(verifyRelabeled.run.exitCode == 2)
        #expect(verifyRelabeled.verdict?["reason"] as? String == "wrong kind: expected a license, found revocation list")
        let verifyList = try workspace.verify(workspace.path("list.rvl"))
        #expect(verifyList.run.exitCode == 2)
        let listReason = verifyList.verdict?["reason"] as? String ?? ""
        #expect(listReason.hasPrefix("wrong kind: expected a license"), "\(listReason)")

        try workspace.write("renamed.rvl", Array(try workspace.read("acme.lic")))
        let renamed = try workspace.importArtifacts([workspace.path("renamed.rvl")], store: "store-renamed")
        #expect(renamed.run.exitCode == 0, "\(renamed.run.standardOutput)")
        #expect(renamed.results?.first?["kind"] as? String == "license")
        #expect(renamed.results?.first?["outcome"] as? String == "accepted")
    }
}
