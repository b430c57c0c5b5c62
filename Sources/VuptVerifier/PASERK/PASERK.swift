import VuptSodium

/// Errors decoding a PASERK string.
public enum PASERKError: Error, Equatable, Sendable {
    /// The PASERK is of another version or type, for example `k3.public` or `k4.local`.
    case wrongType(expected: String, found: String)
    case invalidEncoding
    case invalidLength(expected: Int, actual: Int)
    /// A wrapped key failed to decrypt: wrong password or altered data.
    case authenticationFailed
    /// Argon2id parameters in a wrapped key that this implementation will not run.
    case unsupportedParameters(String)
    /// The secret key's stored public half does not match its seed.
    case keyMismatch
}

extension PASERKError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .wrongType(expected, found): return "expected a \(expected) PASERK, found '\(found)'"
        case .invalidEncoding: return "the key data is not unpadded base64url"
        case let .invalidLength(expected, actual): return "the key is \(actual) bytes, expected \(expected)"
        case .authenticationFailed: return "wrong password, or the wrapped key was altered"
        case .unsupportedParameters(let detail): return "unsupported parameters: \(detail)"
        case .keyMismatch: return "the secret key does not match its public half"
        }
    }
}

/// PASERK serializations for version 4 keys.
public enum PASERK {
    /// Encodes a public key as `k4.public.<base64url(32 bytes)>`.
    public static func encodePublic(_ key: Ed25519.PublicKey) -> String {
        "k4.public." + Base64URL.encode(key.rawRepresentation)
    }

    /// Decodes a `k4.public` PASERK.
    public static func decodePublic(_ text: String) throws(PASERKError) -> Ed25519.PublicKey {
        let bytes = try decodeData(text, type: "k4.public.")
        guard let key = try? Ed25519.PublicKey(rawRepresentation: bytes) else {
            throw .invalidLength(expected: Ed25519.publicKeyLength, actual: bytes.count)
        }
        return key
    }

    /// Returns the key id `k4.pid`: BLAKE2b-264 of `"k4.pid." || k4.public PASERK`, base64url.
    public static func publicKeyID(_ key: Ed25519.PublicKey) -> String {
        identifier(type: "k4.pid.", of: encodePublic(key))
    }

    /// The PASERK ID operation for version 4: `h || base64url(BLAKE2b-264(h || p))`.
    public static func identifier(type header: String, of paserk: String) -> String {
        let digest = BLAKE2b.hash(Array(header.utf8) + Array(paserk.utf8), outputLength: 33)
        return header + Base64URL.encode(digest)
    }

    /// Checks the `kN.type.` prefix and decodes the base64url data after it.
    public static func decodeData(_ text: String, type header: String) throws(PASERKError) -> [UInt8] {
        guard text.hasPrefix(header) else {
            let found = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
                .prefix(2).joined(separator: ".")
            throw .wrongType(expected: String(header.dropLast()), found: String(found.prefix(32)))
        }
        do {
            return try Base64URL.decode(String(text.dropFirst(header.count)))
        } catch {
            throw .invalidEncoding
        }
    }
}
