import Foundation
import Testing
import VuptTestSupport

/// Ledger checkpoints and proofs checked by Go's golang.org/x/mod/sumdb note and tlog
/// packages (Debian's golang-golang-x-mod-dev), which share no code with Vupt.
@Suite struct GoInteropTests {
    static let goSources = "/usr/share/gocode/src/golang.org/x/mod/sumdb/note"

    /// Builds the Go checker, or returns nil when Go or the x/mod sources are missing
    /// outside CI. Under CI their absence is a failure.
    static func buildChecker(into folder: URL) throws -> URL? {
        let go = ["/usr/bin/go", "/usr/lib/go/bin/go"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let go, FileManager.default.fileExists(atPath: goSources) else {
            if TestSupport.isCI {
                Issue.record("Go or golang.org/x/mod is missing; run scripts/install-deps --test")
            }
            return nil
        }
        let output = folder.appendingPathComponent("vuptinterop")
        let gopath = TestSupport.repositoryRoot.appendingPathComponent("Tests/Interop/go").path + ":/usr/share/gocode"
        let result = try TestSupport.runProcess(
            URL(fileURLWithPath: go), ["build", "-o", output.path, "vuptinterop"],
            environment: [
                "GO111MODULE": "off", "GOPATH": gopath, "GOPROXY": "off", "GOFLAGS": "",
                "GOCACHE": folder.appendingPathComponent("go-cache").path,
            ])
        try #require(result.exitCode == 0, "go build failed: \(result.standardError)")
        return output
    }

    @Test func goVerifiesCheckpointsAndProofs() throws {
        let workspace = try Workspace("go-interop")
        defer { workspace.remove() }
        guard let checker = try Self.buildChecker(into: workspace.directory) else { return }

        for (index, customer) in ["acme-001", "globex-002", "initech-003"].enumerated() {
            let mint = try workspace.issuer(
                ["mint", "--key", Workspace.testSecretKeyPath, "--customer", customer, "--customer-name", "Customer \(index)",
                 "--tier", "business", "--seats", "5", "--out", workspace.path("\(customer).lic"),
                 "--ledger", workspace.ledgerPath, "--at", Workspace.issuedAt])
            try #require(mint.exitCode == 0, "mint \(customer): \(mint.standardError)")
            if index == 0 {
                let kept = try workspace.issuer(
                    ["ledger", "checkpoint", "--out", workspace.path("kept.txt"), "--ledger", workspace.ledgerPath])
                try #require(kept.exitCode == 0, "\(kept.standardError)")
            }
        }
        let ledger = ["--ledger", workspace.ledgerPath]
        let vkey = try workspace.issuer(["ledger", "checkpoint", "--verifier-key"] + ledger)
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(vkey.hasPrefix("vupt-ledger/"))
        for step in [
            ["ledger", "checkpoint", "--out", workspace.path("latest.txt")],
            ["ledger", "proof", "VUPT-00000002", "--out", workspace.path("proof.json")],
            ["ledger", "consistency", "--from", workspace.path("kept.txt"), "--out", workspace.path("consistency.json")],
        ] {
            let result = try workspace.issuer(step + ledger)
            try #require(result.exitCode == 0, "\(step[1]): \(result.standardError)" as Comment)
        }

        let note = try TestSupport.runProcess(checker, ["note", vkey, workspace.path("latest.txt")])
        #expect(note.exitCode == 0, "note: \(note.standardError)")
        let inclusion = try TestSupport.runProcess(checker, ["inclusion", vkey, workspace.path("proof.json")])
        #expect(inclusion.exitCode == 0, "inclusion: \(inclusion.standardError)")
        let consistency = try TestSupport.runProcess(
            checker, ["consistency", vkey, workspace.path("kept.txt"), workspace.path("consistency.json")])
        #expect(consistency.exitCode == 0, "consistency: \(consistency.standardError)")

        // Go rejects a proof whose entry was changed, as Vupt does.
        let proofData = try Data(contentsOf: URL(fileURLWithPath: workspace.path("proof.json")))
        var object = try #require(try JSONSerialization.jsonObject(with: proofData) as? [String: Any])
        let encodedEntry = try #require(object["entry"] as? String)
        var entry = try #require(Data(base64Encoded: encodedEntry))
        entry[entry.startIndex + 10] ^= 0x01
        object["entry"] = entry.base64EncodedString()
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: workspace.path("tampered.json")))
        let tampered = try TestSupport.runProcess(checker, ["inclusion", vkey, workspace.path("tampered.json")])
        #expect(tampered.exitCode != 0, "Go accepted a tampered proof")
    }
}
