internal import CSodium

/// Argon2id (version 1.3) through `crypto_pwhash`.
public enum Argon2id {
    public static let saltLength = Int(crypto_pwhash_SALTBYTES)
    /// libsodium's MODERATE preset: 3 passes over 256 MiB.
    public static let moderateOperationsLimit = Int(crypto_pwhash_OPSLIMIT_MODERATE)
    public static let moderateMemoryLimit = Int(crypto_pwhash_MEMLIMIT_MODERATE)
    /// libsodium's INTERACTIVE preset: 2 passes over 64 MiB.
    public static let interactiveOperationsLimit = Int(crypto_pwhash_OPSLIMIT_INTERACTIVE)
    public static let interactiveMemoryLimit = Int(crypto_pwhash_MEMLIMIT_INTERACTIVE)
    public static let minimumOperationsLimit = Int(crypto_pwhash_OPSLIMIT_MIN)
    public static let minimumMemoryLimit = Int(crypto_pwhash_MEMLIMIT_MIN)

    /// Derives `length` secret bytes from `password` and `salt`.
    /// `memoryLimit` is in bytes.
    public static func deriveKey(
        length: Int, password: SecureBytes, salt: [UInt8], operationsLimit: Int, memoryLimit: Int
    ) throws -> SecureBytes {
        try Sodium.ensureInitialized()
        guard salt.count == saltLength else {
            throw SodiumError.invalidLength(what: "Argon2id salt", expected: saltLength, actual: salt.count)
        }
        guard password.count > 0 else {
            throw SodiumError.invalidPasswordHashingParameters("the password is empty")
        }
        guard operationsLimit >= minimumOperationsLimit, operationsLimit <= Int(UInt32.max) else {
            throw SodiumError.invalidPasswordHashingParameters(
                "time cost \(operationsLimit) is outside \(minimumOperationsLimit) to \(UInt32.max)")
        }
        guard memoryLimit >= minimumMemoryLimit else {
            throw SodiumError.invalidPasswordHashingParameters(
                "memory cost \(memoryLimit) bytes is below libsodium's minimum of \(minimumMemoryLimit)")
        }
        var status: Int32 = 0
        let key = try SecureBytes(count: length) { out in
            password.withUnsafeBytes { passwordBuffer in
                salt.withUnsafeBufferPointer { saltBuffer in
                    status = crypto_pwhash(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(length),
                        passwordBuffer.baseAddress!.assumingMemoryBound(to: CChar.self),
                        UInt64(passwordBuffer.count), saltBuffer.baseAddress!,
                        UInt64(operationsLimit), Int(memoryLimit), crypto_pwhash_ALG_ARGON2ID13)
                }
            }
        }
        guard status == 0 else {
            throw SodiumError.passwordHashingFailed(memoryLimit: memoryLimit, operationsLimit: operationsLimit)
        }
        return key
    }
}

/// The XChaCha20 stream cipher through `crypto_stream_xchacha20_xor`.
/// It provides no authentication by itself: callers add a MAC.
public enum XChaCha20 {
    public static let keyLength = Int(crypto_stream_xchacha20_KEYBYTES)
    public static let nonceLength = Int(crypto_stream_xchacha20_NONCEBYTES)

    /// XORs `input` with the key stream; encrypting and decrypting are the same operation.
    public static func xor(_ input: [UInt8], nonce: [UInt8], key: SecureBytes) throws -> [UInt8] {
        guard nonce.count == nonceLength else {
            throw SodiumError.invalidLength(what: "XChaCha20 nonce", expected: nonceLength, actual: nonce.count)
        }
        guard key.count == keyLength else {
            throw SodiumError.invalidLength(what: "XChaCha20 key", expected: keyLength, actual: key.count)
        }
        var output = [UInt8](repeating: 0, count: input.count)
        if input.isEmpty { return output }
        output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inBuffer in
                nonce.withUnsafeBufferPointer { nonceBuffer in
                    key.withUnsafeBytes { keyBuffer in
                        _ = crypto_stream_xchacha20_xor(
                            out.baseAddress!, inBuffer.baseAddress!, UInt64(inBuffer.count),
                            nonceBuffer.baseAddress!, keyBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        return output
    }

    /// Decrypts into guarded memory, for ciphertexts that hold a secret key.
    public static func xorIntoSecure(_ input: [UInt8], nonce: [UInt8], key: SecureBytes) throws -> SecureBytes {
        var plain = try xor(input, nonce: nonce, key: key)
        return try SecureBytes(consuming: &plain)
    }
}
