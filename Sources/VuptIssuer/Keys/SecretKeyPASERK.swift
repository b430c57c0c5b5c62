import VuptSodium
import VuptVerifier

/// Argon2id cost parameters stored in a `k4.secret-pw` PASERK.
public struct PasswordWrapParameters: Equatable, Sendable {
    /// Memory cost in bytes.
    public var memoryLimit: Int
    /// Number of passes (the Argon2id time cost).
    public var operationsLimit: Int

    public init(memoryLimit: Int, operationsLimit: Int) {
        self.memoryLimit = memoryLimit
        self.operationsLimit = operationsLimit
    }

    /// libsodium's MODERATE preset, the minimum for signing-key files: 256 MiB, 3 passes.
    public static let moderate = PasswordWrapParameters(
        memoryLimit: Argon2id.moderateMemoryLimit, operationsLimit: Argon2id.moderateOperationsLimit)

    /// True when both costs are at least those of `other`.
    public func isAtLeast(_ other: PasswordWrapParameters) -> Bool {
        memoryLimit >= other.memoryLimit && operationsLimit >= other.operationsLimit
    }

    /// Ceilings when unwrapping, so that a crafted file cannot demand unbounded memory or time.
    public static let maximumMemoryLimit = 4 << 30
    public static let maximumOperationsLimit = 64
}

/// Secret-key PASERKs for version 4: `k4.secret`, `k4.secret-pw` and `k4.sid`.
public enum SecretKeyPASERK {
    static let secretHeader = "k4.secret."
    static let passwordHeader = "k4.secret-pw."
    static let wrappedLength = 152

    /// Encodes the 64-byte secret key as `k4.secret.<base64url>`.
    public static func encodeSecret(_ key: Ed25519.SecretKey) -> String {
        var bytes = key.secureBytes.withUnsafeBytes { Array($0) }
        defer { Sodium.wipe(&bytes) }
        return secretHeader + Base64URL.encode(bytes)
    }

    /// Decodes `k4.secret`, refusing a key whose public half does not match its seed.
    public static func decodeSecret(_ text: String) throws -> Ed25519.SecretKey {
        var bytes = try PASERK.decodeData(text, type: secretHeader)
        guard bytes.count == Ed25519.secretKeyLength else {
            Sodium.wipe(&bytes)
            throw PASERKError.invalidLength(expected: Ed25519.secretKeyLength, actual: bytes.count)
        }
        let secure = try SecureBytes(consuming: &bytes)
        do {
            return try Ed25519.SecretKey(secretKeyBytes: secure)
        } catch is Ed25519KeyMismatch {
            throw PASERKError.keyMismatch
        }
    }

    /// Returns the secret key's id, `k4.sid`.
    public static func secretKeyID(_ key: Ed25519.SecretKey) -> String {
        PASERK.identifier(type: "k4.sid.", of: encodeSecret(key))
    }

    /// Wraps a secret key with a password (PASERK PBKW, versions 2 and 4):
    /// Argon2id derives a pre-key, BLAKE2b splits it into an XChaCha20 key and a MAC key.
    public static func wrap(
        _ key: Ed25519.SecretKey, password: SecureBytes, parameters: PasswordWrapParameters,
        salt fixedSalt: [UInt8]? = nil, nonce fixedNonce: [UInt8]? = nil
    ) throws -> String {
        let salt = try fixedSalt ?? Sodium.randomBytes(count: Argon2id.saltLength)
        let nonce = try fixedNonce ?? Sodium.randomBytes(count: XChaCha20.nonceLength)
        let header = Array(passwordHeader.utf8)
        let parameterBytes = bigEndian(UInt64(parameters.memoryLimit)) + bigEndian(UInt32(parameters.operationsLimit))
            + bigEndian(UInt32(1))

        let preKey = try Argon2id.deriveKey(
            length: 32, password: password, salt: salt, operationsLimit: parameters.operationsLimit,
            memoryLimit: parameters.memoryLimit)
        let encryptionKey = try BLAKE2b.hash(prefix: 0xFF, secret: preKey)
        let authenticationKey = try BLAKE2b.hash(prefix: 0xFE, secret: preKey)

        var plaintext = key.secureBytes.withUnsafeBytes { Array($0) }
        let encrypted = try XChaCha20.xor(plaintext, nonce: nonce, key: encryptionKey)
        Sodium.wipe(&plaintext)
        let tag = try BLAKE2b.hash(
            header + salt + parameterBytes + nonce + encrypted, outputLength: 32, key: authenticationKey
        ).withUnsafeBytes { Array($0) }
        return passwordHeader + Base64URL.encode(salt + parameterBytes + nonce + encrypted + tag)
    }

    /// Reads the Argon2id parameters of a `k4.secret-pw` without the password.
    public static func wrapParameters(_ text: String) throws -> PasswordWrapParameters {
        let data = try PASERK.decodeData(text, type: passwordHeader)
        guard data.count == wrappedLength else {
            throw PASERKError.invalidLength(expected: wrappedLength, actual: data.count)
        }
        let memory = readBigEndian(data[16..<24])
        let time = readBigEndian(data[24..<28])
        guard memory <= UInt64(PasswordWrapParameters.maximumMemoryLimit),
            time <= UInt64(PasswordWrapParameters.maximumOperationsLimit)
        else {
            throw PASERKError.unsupportedParameters(
                "Argon2id memory \(memory) bytes and \(time) passes exceed the supported maximum")
        }
        return PasswordWrapParameters(memoryLimit: Int(memory), operationsLimit: Int(time))
    }

    /// Unwraps a `k4.secret-pw`. A wrong password and altered data both fail the MAC check,
    /// which runs in constant time before anything is decrypted.
    public static func unwrap(_ text: String, password: SecureBytes) throws -> Ed25519.SecretKey {
        let parameters = try wrapParameters(text)
        let data = try PASERK.decodeData(text, type: passwordHeader)
        let salt = Array(data[0..<16])
        let parallelism = readBigEndian(data[28..<32])
        guard parallelism == 1 else {
            throw PASERKError.unsupportedParameters("Argon2id parallelism \(parallelism); libsodium supports 1")
        }
        let nonce = Array(data[32..<56])
        let encrypted = Array(data[56..<120])
        let tag = Array(data[120..<152])

        let preKey = try Argon2id.deriveKey(
            length: 32, password: password, salt: salt, operationsLimit: parameters.operationsLimit,
            memoryLimit: parameters.memoryLimit)
        let authenticationKey = try BLAKE2b.hash(prefix: 0xFE, secret: preKey)
        let expectedTag = try BLAKE2b.hash(
            Array(passwordHeader.utf8) + Array(data[0..<120]), outputLength: 32, key: authenticationKey
        ).withUnsafeBytes { Array($0) }
        guard Sodium.constantTimeEqual(tag, expectedTag) else { throw PASERKError.authenticationFailed }

        let encryptionKey = try BLAKE2b.hash(prefix: 0xFF, secret: preKey)
        let secret = try XChaCha20.xorIntoSecure(encrypted, nonce: nonce, key: encryptionKey)
        do {
            return try Ed25519.SecretKey(secretKeyBytes: secret)
        } catch is Ed25519KeyMismatch {
            throw PASERKError.keyMismatch
        }
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> UInt32($0 * 8)) }
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
