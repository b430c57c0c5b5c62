import Foundation
import Testing
import VuptTestSupport

/// `vupt-issuer keys generate`: file modes, overwrite protection and key names.
struct KeyGenerationTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func keysGenerateSetsFileModes() throws {
        let workspace = try Workspace("key-modes")
        defer { workspace.remove() }

        let result = try workspace.issuer(["keys", "generate", "--out", workspace.path("keys"), "--name", "vendor"])
        #expect(result.exitCode == 0, "keys generate failed: \(result.standardError)")
        #expect(try Self.mode(workspace.path("keys")) == 0o700)
        #expect(try Self.mode(workspace.path("keys/vendor.key")) == 0o600)
        #expect(try Self.mode(workspace.path("keys/vendor.pub")) == 0o644)

        let secret = String(decoding: try workspace.read("keys/vendor.key"), as: UTF8.self)
        let publicKey = String(decoding: try workspace.read("keys/vendor.pub"), as: UTF8.self)
        #expect(secret.hasPrefix("k4.secret-pw."))
        #expect(publicKey.hasPrefix("k4.public."))
        #expect(!secret.contains(Workspace.testPassphrase))
        #expect(result.standardOutput.contains("key id:     k4.pid."))
    }

    /// Existing files are checked before the passphrase is read, so no key is derived.
    @Test func keysGenerateRejectsOverwrite() throws {
        let workspace = try Workspace("key-overwrite")
        defer { workspace.remove() }
        try FileManager.default.createDirectory(
            atPath: workspace.path("keys"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existing = Data("existing key file\n".utf8)
        try workspace.write("keys/vupt-signing.key", existing)

        let rejected = try workspace.issuer(["keys", "generate", "--out", workspace.path("keys")])
        #expect(rejected.exitCode == 73)
        #expect(rejected.standardError.contains("already exists"))
        #expect(rejected.standardError.contains("--force"))
        #expect(try workspace.read("keys/vupt-signing.key") == existing)
        #expect(!workspace.fileExists("keys/vupt-signing.pub"))

        let replaced = try workspace.issuer(["keys", "generate", "--out", workspace.path("keys"), "--force"])
        #expect(replaced.exitCode == 0, "keys generate --force failed: \(replaced.standardError)")
        let secret = String(decoding: try workspace.read("keys/vupt-signing.key"), as: UTF8.self)
        #expect(secret.hasPrefix("k4.secret-pw."))
        #expect(try Self.mode(workspace.path("keys/vupt-signing.key")) == 0o600)
    }

    @Test func invalidKeyNameExits64() throws {
        let workspace = try Workspace("key-name")
        defer { workspace.remove() }

        let result = try workspace.issuer(["keys", "generate", "--out", workspace.path("keys"), "--name", "../escape"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("invalid --name"))
        #expect(!workspace.fileExists("escape.key"))
    }
}
