internal import CSodium

/// Ed25519 signatures through libsodium's `crypto_sign_*` functions.
public enum Ed25519 {
    public static let publicKeyLength = 32
    public static let secretKeyLength = 64
    public static let seedLength = 32
    public static let signatureLength = 64

    /// An Ed25519 public key: 32 bytes.
    public struct PublicKey: Hashable, Sendable {
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation bytes: [UInt8]) throws(SodiumError) {
            guard bytes.count == Ed25519.publicKeyLength else {
                throw .invalidLength(
                    what: "Ed25519 public key", expected: Ed25519.publicKeyLength, actual: bytes.count)
            }
            rawRepresentation = bytes
        }

        /// Returns true when `signature` is a valid signature of `message` by this key.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            guard signature.count == Ed25519.signatureLength, (try? Sodium.ensureInitialized()) != nil
            else { return false }
            return signature.withUnsafeBufferPointer { sig in
                message.withUnsafeBufferPointer { msg in
                    rawRepresentation.withUnsafeBufferPointer { key in
                        crypto_sign_verify_detached(
                            sig.baseAddress!, msg.baseAddress, UInt64(msg.count), key.baseAddress!) == 0
                    }
                }
            }
        }
    }

    /// An Ed25519 secret key in libsodium's 64-byte form (seed followed by public key),
    /// held in guarded memory.
    public struct SecretKey: Sendable {
        /// The 64 secret-key bytes.
        public let secureBytes: SecureBytes
        public let publicKey: PublicKey

        /// Generates a fresh key pair from the system CSPRNG.
        public static func generate() throws -> SecretKey {
            try Sodium.ensureInitialized()
            var publicBytes = [UInt8](repeating: 0, count: Ed25519.publicKeyLength)
            let secret = try SecureBytes(count: Ed25519.secretKeyLength) { buffer in
                _ = publicBytes.withUnsafeMutableBufferPointer { pk in
                    crypto_sign_keypair(pk.baseAddress!, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            return SecretKey(secureBytes: secret, publicKey: try PublicKey(rawRepresentation: publicBytes))
        }

        /// Derives the key pair from a 32-byte seed.
        public init(seed: SecureBytes) throws {
            try Sodium.ensureInitialized()
            guard seed.count == Ed25519.seedLength else {
                throw SodiumError.invalidLength(what: "Ed25519 seed", expected: Ed25519.seedLength, actual: seed.count)
            }
            var publicBytes = [UInt8](repeating: 0, count: Ed25519.publicKeyLength)
            let secret = try SecureBytes(count: Ed25519.secretKeyLength) { buffer in
                seed.withUnsafeBytes { seedBuffer in
                    _ = publicBytes.withUnsafeMutableBufferPointer { pk in
                        crypto_sign_seed_keypair(
                            pk.baseAddress!, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            seedBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            self.init(secureBytes: secret, publicKey: try PublicKey(rawRepresentation: publicBytes))
        }

        /// Accepts libsodium's 64-byte secret key and checks that its stored public half
        /// matches the public key derived from its seed.
        public init(secretKeyBytes secret: SecureBytes) throws {
            guard secret.count == Ed25519.secretKeyLength else {
                throw SodiumError.invalidLength(
                    what: "Ed25519 secret key", expected: Ed25519.secretKeyLength, actual: secret.count)
            }
            let seed = try SecureBytes(count: Ed25519.seedLength) { buffer in
                secret.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: Ed25519.seedLength)
                }
            }
            let derived = try SecretKey(seed: seed)
            guard derived.secureBytes.constantTimeEquals(secret) else {
                throw Ed25519KeyMismatch()
            }
            self = derived
        }

        private init(secureBytes: SecureBytes, publicKey: PublicKey) {
            self.secureBytes = secureBytes
            self.publicKey = publicKey
        }

        /// Signs `message` and returns the 64-byte detached signature.
        public func signature(for message: [UInt8]) -> [UInt8] {
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureLength)
            secureBytes.withUnsafeBytes { secret in
                signature.withUnsafeMutableBufferPointer { sig in
                    message.withUnsafeBufferPointer { msg in
                        _ = crypto_sign_detached(
                            sig.baseAddress!, nil, msg.baseAddress, UInt64(msg.count),
                            secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            return signature
        }
    }
}

/// A 64-byte secret key whose stored public half is not the public key of its seed.
public struct Ed25519KeyMismatch: Error, Equatable, Sendable {
    public init() {}
}
