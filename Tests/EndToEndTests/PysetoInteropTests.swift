import Foundation
import Testing
import VuptTestSupport

/// Runs Tests/Interop/pyseto_interop.py, which checks Vupt tokens and key files with
/// pyseto, an independent PASETO/PASERK implementation for Python.
enum Pyseto {
    static let script = TestSupport.repositoryRoot.appendingPathComponent("Tests/Interop/pyseto_interop.py").path

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try TestSupport.runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script] + arguments, environment: environment)
    }

    /// Returns true when python3 can import pyseto. Otherwise the calling test returns
    /// early, except under CI, where the missing package is a failure.
    static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let result = try? run(["check"])
        if result?.exitCode == 0 { return true }
        if TestSupport.isCI {
            let output = result?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "/usr/bin/env did not start"
            // Exit code 3 is the script's own report that pyseto is missing. Any other code
            // means python3 itself failed, so its output is shown.
            let detail = result?.exitCode == 3 ? "" : " (\(output))"
            Issue.record(
                "python3 cannot import pyseto\(detail); install it with 'pip install pyseto'",
                sourceLocation: sourceLocation)
        }
        return false
    }
}

struct PysetoInteropTests {
    @Test func pysetoVerifiesMintedLicense() throws {
        guard Pyseto.isAvailable() else { return }
        let workspace = try Workspace("pyseto-verify")
        defer { workspace.remove() }
        let generated = try workspace.issuer(["keys", "generate", "--out", workspace.path("keys"), "--name", "vendor"])
        #expect(generated.exitCode == 0, "keys generate failed: \(generated.standardError)")
        let minted = try workspace.mint(
            key: workspace.path("keys/vendor.key"), extra: ["--feature", "desktop-app", "--feature", "signed-audit-log"])
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let vupt = try #require(jsonObject(
            try workspace.verify(at: "2026-06-01T00:00:00Z", publicKey: workspace.path("keys/vendor.pub"), json: true)
                .standardOutput))

        let result = try Pyseto.run(["verify", workspace.path("license.lic"), workspace.path("keys/vendor.pub")])
        #expect(result.exitCode == 0, "pyseto rejected the license: \(result.standardError)")
        let decoded = try #require(jsonObject(result.standardOutput), "not JSON: \(result.standardOutput)")
        let payload = try #require(decoded["payload"] as? [String: Any])
        let footer = try #require(decoded["footer"] as? [String: Any])
        #expect(footer["kid"] as? String == vupt["keyId"] as? String)
        #expect(footer["typ"] as? String == "vupt:license:v1")
        #expect(payload["iss"] as? String == "vupt")
        #expect(payload["jti"] as? String == "VUPT-00000001")
        #expect(payload["sub"] as? String == "acme-001")
        #expect(payload["customerName"] as? String == "Acme Corp")
        #expect(payload["tier"] as? String == "business")
        #expect(payload["features"] as? [String] == ["desktop-app", "signed-audit-log"])
        #expect(payload["seats"] as? Int == 10)
        #expect(payload["iat"] as? String == "2026-01-01T00:00:00Z")
        #expect(payload["nbf"] as? String == "2026-01-01T00:00:00Z")
        #expect(payload["exp"] as? String == "2027-01-01T00:00:00Z")
        #expect(payload["telemetry"] as? Bool == false)
    }

    @Test func vuptVerifiesPysetoLicense() throws {
        guard Pyseto.isAvailable() else { return }
        let workspace = try Workspace("pyseto-sign")
        defer { workspace.remove() }

        let signed = try Pyseto.run(["sign", workspace.directory.path])
        #expect(signed.exitCode == 0, "pyseto could not sign: \(signed.standardError)")
        let written = try #require(jsonObject(signed.standardOutput), "not JSON: \(signed.standardOutput)")

        let result = try workspace.verify(
            "pyseto.lic", at: "2026-06-01T00:00:00Z", publicKey: workspace.path("pyseto.pub"), json: true)
        #expect(result.exitCode == 0, "vupt-license rejected the pyseto license: \(result.standardOutput)")
        let json = try #require(jsonObject(result.standardOutput))
        #expect(json["verdict"] as? String == "valid")
        #expect(json["keyId"] as? String == written["keyId"] as? String)
        #expect(json["serial"] as? String == "VUPT-00000042")
        #expect(json["customer"] as? String == "pyseto-001")
        #expect(json["features"] as? [String] == ["desktop-app", "kanban"])
        #expect(json["seats"] as? Int == 7)
        #expect(json["notAfter"] as? String == "2027-01-01T00:00:00Z")

        // Signed without the implicit assertion vupt:license:v1, so the signature fails.
        let unbound = try workspace.verify(
            "no-assertion.lic", at: "2026-06-01T00:00:00Z", publicKey: workspace.path("pyseto.pub"))
        #expect(unbound.exitCode == 2)
        #expect(unbound.standardError.contains("signature invalid"))
    }

    /// pyseto 1.10.0 unwraps k4.secret-pw keys with Argon2id costs up to 256 MiB and 4
    /// passes, which covers the 256 MiB and 3 passes vupt-issuer writes.
    @Test func pysetoUnwrapsTestSecretKey() throws {
        guard Pyseto.isAvailable() else { return }

        let result = try Pyseto.run(
            ["unwrap", Workspace.testSecretKeyPath, Workspace.testPublicKeyPath],
            environment: ["VUPT_ISSUER_PASSPHRASE": Workspace.testPassphrase])
        #expect(result.exitCode == 0, "pyseto could not unwrap the test key: \(result.standardError)")
        let json = try #require(jsonObject(result.standardOutput), "not JSON: \(result.standardOutput)")
        #expect(json["keyId"] as? String == Workspace.testKeyID)
    }
}
