import Foundation
import Testing
import VuptTestSupport

/// License files that `vupt-license verify` rejects (exit 2) or cannot read (exit 66).
struct RejectionTests {
    /// One base64url character of the payload changed, so the token still decodes.
    @Test func tamperedTokenSignatureInvalid() throws {
        let workspace = try Workspace("tampered")
        defer { workspace.remove() }
        let minted = try workspace.mint()
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let text = String(decoding: try workspace.read("license.lic"), as: UTF8.self)
        let parts = try #require(armoredTokenLines(text))
        #expect(parts.token.count >= 3)
        var line = Array(parts.token[1])
        let original = line[20]
        line[20] = original == "A" ? "B" : "A"
        var token = parts.token
        token[1] = Substring(String(line))
        let tampered = (parts.before + token + parts.after).joined(separator: "\n")
        #expect(tampered != text)
        try workspace.write("tampered.lic", Data(tampered.utf8))

        let result = try workspace.verify("tampered.lic", at: "2026-06-01T00:00:00Z")
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("signature invalid"))
        #expect(!result.standardOutput.contains("verdict:"))
    }

    @Test func otherKeyIsUnknownKey() throws {
        let workspace = try Workspace("unknown-key")
        defer { workspace.remove() }
        let generated = try workspace.issuer(
            ["keys", "generate", "--out", workspace.path("other"), "--name", "other"], passphrase: "other passphrase")
        #expect(generated.exitCode == 0, "keys generate failed: \(generated.standardError)")
        let minted = try workspace.mint(key: workspace.path("other/other.key"), passphrase: "other passphrase")
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let rejected = try workspace.verify(at: "2026-06-01T00:00:00Z")
        #expect(rejected.exitCode == 2)
        #expect(rejected.standardError.contains("unknown key"))

        // The same file verifies with its own key, so the key is the only reason.
        let accepted = try workspace.verify(at: "2026-06-01T00:00:00Z", publicKey: workspace.path("other/other.pub"))
        #expect(accepted.exitCode == 0, "verify with the signing key failed: \(accepted.standardError)")
    }

    @Test func truncatedFileIsMalformed() throws {
        let workspace = try Workspace("truncated")
        defer { workspace.remove() }
        let minted = try workspace.mint()
        #expect(minted.exitCode == 0, "mint failed: \(minted.standardError)")

        let bytes = [UInt8](try workspace.read("license.lic"))
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = try #require(text.range(of: "-----BEGIN VUPT LICENSE-----\n"))
        let end = try #require(text.range(of: "-----END VUPT LICENSE-----"))
        let blockStart = text.utf8.distance(from: text.startIndex, to: begin.upperBound)
        let blockEnd = text.utf8.distance(from: text.startIndex, to: end.lowerBound)
        let cut = (blockStart + blockEnd) / 2
        try workspace.write("truncated.lic", Data(bytes[..<cut]))

        let result = try workspace.verify("truncated.lic", at: "2026-06-01T00:00:00Z")
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("malformed"))
    }

    @Test func missingFileExits66() throws {
        let workspace = try Workspace("missing")
        defer { workspace.remove() }

        let result = try workspace.verify("no-such.lic", at: "2026-06-01T00:00:00Z")
        #expect(result.exitCode == 66)
        #expect(result.standardError.contains("no-such.lic"))
        #expect(result.standardError.contains("not found"))
    }
}
