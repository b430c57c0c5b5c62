import VuptSodium
import VuptVerifier

/// Errors with the vendor's key files.
public enum KeyFileError: Error, Equatable, Sendable {
    /// The passphrase does not unlock the key, or the file was altered.
    case wrongPassphrase(path: String)
    case emptyPassphrase
    /// The key file is not a `k4.secret-pw` PASERK.
    case malformedKeyFile(path: String, reason: String)
    /// The key file's Argon2id costs are below libsodium's MODERATE preset.
    case weakParameters(path: String, memoryLimit: Int, operationsLimit: Int)
    /// The secret key's stored public half does not match its seed.
    case keyMismatch(path: String)
    /// Refusing to replace an existing key file without `--force`.
    case alreadyExists(path: String)
    case file(FileError)
}

extension KeyFileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .wrongPassphrase(let path): return "\(path): wrong passphrase, or the key file was altered"
        case .emptyPassphrase: return "the passphrase is empty; choose a non-empty passphrase"
        case let .malformedKeyFile(path, reason): return "\(path): not a k4.secret-pw key file: \(reason)"
        case let .weakParameters(path, memory, operations):
            return "\(path): Argon2id costs \(memory) bytes and \(operations) passes are below the minimum "
                + "(\(PasswordWrapParameters.moderate.memoryLimit) bytes, \(PasswordWrapParameters.moderate.operationsLimit) passes); "
                + "generate a new key"
        case .keyMismatch(let path): return "\(path): the secret key does not match its public half"
        case .alreadyExists(let path): return "\(path) already exists; pass --force to replace it"
        case .file(let error): return error.description
        }
    }
}

/// The vendor's signing key pair on disk: `NAME.pub` (k4.public) and `NAME.key`
/// (k4.secret-pw, mode 0600, in a folder with mode 0700).
public enum SigningKeyFile {
    /// Key files hold one PASERK line; anything larger is not a key file.
    static let maximumFileSize = 4096

    public struct Paths: Equatable, Sendable {
        public let publicKey: String
        public let secretKey: String
    }

    public static func paths(directory: String, name: String) -> Paths {
        Paths(publicKey: "\(directory)/\(name).pub", secretKey: "\(directory)/\(name).key")
    }

    /// Generates a key pair and writes both files. Existing files are replaced only with `force`.
    @discardableResult
    public static func generate(
        directory: String, name: String, passphrase: SecureBytes,
        parameters: PasswordWrapParameters = .moderate, force: Bool = false
    ) throws -> (paths: Paths, keyID: String) {
        guard passphrase.count > 0 else { throw KeyFileError.emptyPassphrase }
        let paths = paths(directory: directory, name: name)
        if !force {
            for path in [paths.secretKey, paths.publicKey] where FileIO.exists(path) {
                throw KeyFileError.alreadyExists(path: path)
            }
        }
        do {
            try FileIO.createDirectory(directory, mode: 0o700)
        } catch {
            throw KeyFileError.file(error)
        }

        let key = try Ed25519.SecretKey.generate()
        let wrapped = try SecretKeyPASERK.wrap(key, password: passphrase, parameters: parameters)
        do {
            try FileIO.writeAtomically(paths.secretKey, bytes: Array((wrapped + "\n").utf8), mode: 0o600, overwrite: force)
            try FileIO.writeAtomically(
                paths.publicKey, bytes: Array((PASERK.encodePublic(key.publicKey) + "\n").utf8), mode: 0o644,
                overwrite: force)
        } catch .alreadyExists(let path) {
            throw KeyFileError.alreadyExists(path: path)
        } catch {
            throw KeyFileError.file(error)
        }
        return (paths, PASERK.publicKeyID(key.publicKey))
    }

    /// Reads and unlocks a secret key file.
    public static func unlock(path: String, passphrase: SecureBytes) throws(KeyFileError) -> Ed25519.SecretKey {
        guard passphrase.count > 0 else { throw .emptyPassphrase }
        let text: String
        do {
            text = String(
                String(decoding: try FileIO.read(path, limit: maximumFileSize), as: UTF8.self)
                    .trimmingWhitespaceAndNewlines())
        } catch {
            throw .file(error)
        }
        let parameters: PasswordWrapParameters
        do {
            parameters = try SecretKeyPASERK.wrapParameters(text)
        } catch {
            throw .malformedKeyFile(path: path, reason: "\(error)")
        }
        guard parameters.isAtLeast(.moderate) else {
            throw .weakParameters(
                path: path, memoryLimit: parameters.memoryLimit, operationsLimit: parameters.operationsLimit)
        }
        do {
            return try SecretKeyPASERK.unwrap(text, password: passphrase)
        } catch PASERKError.authenticationFailed {
            throw .wrongPassphrase(path: path)
        } catch PASERKError.keyMismatch {
            throw .keyMismatch(path: path)
        } catch {
            throw .malformedKeyFile(path: path, reason: "\(error)")
        }
    }

    /// Reads a `k4.public` file.
    public static func readPublicKey(path: String, source: KeySource? = nil) throws -> TrustedKey {
        let text = String(decoding: try FileIO.read(path, limit: maximumFileSize), as: UTF8.self)
        return try TrustedKey(name: FileIO.baseName(of: path), paserk: text, source: source ?? .file(path: path))
    }
}
