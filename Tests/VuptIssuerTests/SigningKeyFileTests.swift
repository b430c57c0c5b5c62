import Foundation
import Testing
import VuptIssuer
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// The vendor's key pair on disk: `NAME.key` (k4.secret-pw) and `NAME.pub` (k4.public).
///
/// Tests that unlock a key use libsodium's MODERATE Argon2id costs (256 MiB, 3 passes),
/// because `unlock` rejects anything weaker. The others use the minimum costs.
@Suite struct SigningKeyFileTests {
    static let fastParameters = PasswordWrapParameters(
        memoryLimit: Argon2id.minimumMemoryLimit, operationsLimit: Argon2id.minimumOperationsLimit)
    static let passphrase = "vendor passphrase 1"

    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue, "\(path) has no permissions")
    }

    func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    // MARK: generate

    @Test func generateWritesPrivateKeyFiles() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(root) }
        let folder = root.appendingPathComponent("vendor/keys").path

        let (paths, keyID) = try SigningKeyFile.generate(
            directory: folder, name: "signing", passphrase: secureBytes(Self.passphrase))

        #expect(paths.secretKey == folder + "/signing.key")
        #expect(paths.publicKey == folder + "/signing.pub")
        #expect(try permissions(paths.secretKey) == 0o600)
        #expect(try permissions(paths.publicKey) == 0o644)
        #expect(try permissions(folder) == 0o700)
        #expect(try permissions(root.appendingPathComponent("vendor").path) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["signing.key", "signing.pub"])

        let secretText = try contents(paths.secretKey)
        #expect(secretText.hasPrefix("k4.secret-pw."))
        #expect(secretText.hasSuffix("\n"))
        #expect(try SecretKeyPASERK.wrapParameters(secretText.trimmingCharacters(in: .newlines)) == .moderate)

        let publicKey = try SigningKeyFile.readPublicKey(path: paths.publicKey)
        #expect(try contents(paths.publicKey) == PASERK.encodePublic(publicKey.publicKey) + "\n")
        #expect(keyID == publicKey.keyID)
        #expect(publicKey.source == .file(path: paths.publicKey))
    }

    @Test func generatedKeyUnlocks() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }

        let (paths, keyID) = try SigningKeyFile.generate(
            directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase))
        let key = try SigningKeyFile.unlock(path: paths.secretKey, passphrase: secureBytes(Self.passphrase))

        #expect(PASERK.publicKeyID(key.publicKey) == keyID)
        #expect(try SigningKeyFile.readPublicKey(path: paths.publicKey).publicKey == key.publicKey)
    }

    @Test func generateRejectsExistingKeyWithoutForce() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let (paths, _) = try SigningKeyFile.generate(
            directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase),
            parameters: Self.fastParameters)
        let secretBefore = try contents(paths.secretKey)
        let publicBefore = try contents(paths.publicKey)

        #expect(throws: KeyFileError.alreadyExists(path: paths.secretKey)) {
            try SigningKeyFile.generate(
                directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase),
                parameters: Self.fastParameters)
        }
        #expect(try contents(paths.secretKey) == secretBefore)
        #expect(try contents(paths.publicKey) == publicBefore)
    }

    @Test func generateRejectsExistingPublicKey() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let paths = SigningKeyFile.paths(directory: folder.path, name: "signing")
        try "k4.public.existing\n".write(toFile: paths.publicKey, atomically: false, encoding: .utf8)

        #expect(throws: KeyFileError.alreadyExists(path: paths.publicKey)) {
            try SigningKeyFile.generate(
                directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase),
                parameters: Self.fastParameters)
        }
        #expect(!FileManager.default.fileExists(atPath: paths.secretKey))
    }

    @Test func generateWithForceReplacesKey() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let first = try SigningKeyFile.generate(
            directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase),
            parameters: Self.fastParameters)
        let secretBefore = try contents(first.paths.secretKey)

        let second = try SigningKeyFile.generate(
            directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase),
            parameters: Self.fastParameters, force: true)

        #expect(second.keyID != first.keyID)
        #expect(try contents(second.paths.secretKey) != secretBefore)
        #expect(try SigningKeyFile.readPublicKey(path: second.paths.publicKey).keyID == second.keyID)
        #expect(try permissions(second.paths.secretKey) == 0o600)
    }

    @Test func generateRejectsEmptyPassphrase() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }

        #expect(throws: KeyFileError.emptyPassphrase) {
            try SigningKeyFile.generate(directory: folder.path, name: "signing", passphrase: SecureBytes(count: 0))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    // MARK: unlock

    @Test func unlockWithWrongPassphraseFails() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let (paths, _) = try SigningKeyFile.generate(
            directory: folder.path, name: "signing", passphrase: secureBytes(Self.passphrase))

        #expect(throws: KeyFileError.wrongPassphrase(path: paths.secretKey)) {
            try SigningKeyFile.unlock(path: paths.secretKey, passphrase: secureBytes("vendor passphrase 2"))
        }
    }

    struct WeakCase: Sendable, CustomTestStringConvertible {
        let memoryMebibytes: Int
        let passes: Int
        var testDescription: String { "\(memoryMebibytes) MiB, \(passes) passes" }
    }

    /// Key files whose Argon2id costs are below MODERATE (256 MiB and 3 passes) in memory,
    /// in passes, or in both. `unlock` rejects them before running Argon2id.
    @Test(arguments: [
        WeakCase(memoryMebibytes: 64, passes: 2),
        WeakCase(memoryMebibytes: 256, passes: 2),
        WeakCase(memoryMebibytes: 64, passes: 4),
    ])
    func unlockRejectsWeakParameters(_ row: WeakCase) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let path = folder.appendingPathComponent("weak.key").path
        let parameters = PasswordWrapParameters(memoryLimit: row.memoryMebibytes << 20, operationsLimit: row.passes)
        let wrapped = try SecretKeyPASERK.wrap(
            Ed25519.SecretKey.generate(), password: secureBytes(Self.passphrase), parameters: parameters)
        try (wrapped + "\n").write(toFile: path, atomically: false, encoding: .utf8)

        #expect(throws: KeyFileError.weakParameters(
            path: path, memoryLimit: row.memoryMebibytes << 20, operationsLimit: row.passes)
        ) {
            try SigningKeyFile.unlock(path: path, passphrase: secureBytes(Self.passphrase))
        }
    }

    @Test func interactivePresetIsWeak() {
        let interactive = PasswordWrapParameters(
            memoryLimit: Argon2id.interactiveMemoryLimit, operationsLimit: Argon2id.interactiveOperationsLimit)

        #expect(!interactive.isAtLeast(.moderate))
        #expect(PasswordWrapParameters.moderate.memoryLimit == 256 << 20)
        #expect(PasswordWrapParameters.moderate.operationsLimit == 3)
    }

    @Test func unlockRejectsEmptyPassphrase() throws {
        #expect(throws: KeyFileError.emptyPassphrase) {
            try SigningKeyFile.unlock(path: "/nonexistent/signing.key", passphrase: SecureBytes(count: 0))
        }
    }

    @Test func unlockOfMissingFileIsNotFound() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let path = folder.appendingPathComponent("missing.key").path

        #expect(throws: KeyFileError.file(.notFound(path: path))) {
            try SigningKeyFile.unlock(path: path, passphrase: secureBytes(Self.passphrase))
        }
    }

    @Test(arguments: ["not a key\n", "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "k4.secret-pw.AAAA\n", ""])
    func unlockRejectsMalformedFile(text: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let path = folder.appendingPathComponent("bad.key").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)

        let error = #expect(throws: KeyFileError.self) {
            try SigningKeyFile.unlock(path: path, passphrase: secureBytes(Self.passphrase))
        }
        guard case .malformedKeyFile(let failedPath, _)? = error else {
            Issue.record("expected malformedKeyFile, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
    }
}
