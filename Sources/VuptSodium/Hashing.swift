internal import CSodium

/// BLAKE2b through `crypto_generichash`.
public enum BLAKE2b {
    /// Hashes `message` to `outputLength` bytes (16 to 64), keyed when `key` is given.
    public static func hash(_ message: [UInt8], outputLength: Int = 32, key: [UInt8] = []) -> [UInt8] {
        precondition((16...64).contains(outputLength), "BLAKE2b output length must be 16 to 64 bytes")
        precondition(key.count <= 64, "BLAKE2b key must be at most 64 bytes")
        _ = try? Sodium.ensureInitialized()
        var output = [UInt8](repeating: 0, count: outputLength)
        output.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { msg in
                key.withUnsafeBufferPointer { keyBuffer in
                    _ = crypto_generichash(
                        out.baseAddress!, outputLength, msg.baseAddress, UInt64(msg.count),
                        key.isEmpty ? nil : keyBuffer.baseAddress, key.count)
                }
            }
        }
        return output
    }

    /// Hashes `message` with a key held in guarded memory; the result is secret too.
    public static func hash(_ message: [UInt8], outputLength: Int = 32, key: SecureBytes) throws -> SecureBytes {
        try SecureBytes(count: outputLength) { out in
            message.withUnsafeBufferPointer { msg in
                key.withUnsafeBytes { keyBuffer in
                    _ = crypto_generichash(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), outputLength,
                        msg.baseAddress, UInt64(msg.count),
                        keyBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), keyBuffer.count)
                }
            }
        }
    }

    /// Hashes a one-byte domain prefix followed by a secret, keeping the output secret.
    public static func hash(prefix: UInt8, secret: SecureBytes, outputLength: Int = 32) throws -> SecureBytes {
        let input = try SecureBytes(count: secret.count + 1) { buffer in
            buffer[0] = prefix
            secret.withUnsafeBytes { source in
                if let from = source.baseAddress {
                    (buffer.baseAddress! + 1).copyMemory(from: from, byteCount: source.count)
                }
            }
        }
        return try SecureBytes(count: outputLength) { out in
            input.withUnsafeBytes { inputBuffer in
                _ = crypto_generichash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), outputLength,
                    inputBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(inputBuffer.count),
                    nil, 0)
            }
        }
    }
}

/// SHA-256 through `crypto_hash_sha256`, used for RFC 6962 Merkle trees and
/// C2SP signed-note key ids.
public enum SHA256 {
    public static let outputLength = 32

    public static func hash(_ message: [UInt8]) -> [UInt8] {
        _ = try? Sodium.ensureInitialized()
        var output = [UInt8](repeating: 0, count: outputLength)
        output.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { msg in
                _ = crypto_hash_sha256(out.baseAddress!, msg.baseAddress, UInt64(msg.count))
            }
        }
        return output
    }

    /// Hashes one byte followed by `message`, for domain-separated hashes such as Merkle leaves.
    public static func hash(prefix: UInt8, _ message: UnsafeRawBufferPointer) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: outputLength)
        output.withUnsafeMutableBytes { hash(prefix: prefix, message, into: $0) }
        return output
    }

    /// Hashes one byte followed by `message` into `output`, which is `outputLength` bytes long.
    public static func hash(prefix: UInt8, _ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == outputLength, "SHA-256 output must be 32 bytes")
        _ = try? Sodium.ensureInitialized()
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        var first = prefix
        _ = crypto_hash_sha256_update(&state, &first, 1)
        if let base = message.baseAddress {
            _ = crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self), UInt64(message.count))
        }
        _ = crypto_hash_sha256_final(&state, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// Hashes the concatenation of `parts` without building it first.
    public static func hash(parts: [[UInt8]]) -> [UInt8] {
        _ = try? Sodium.ensureInitialized()
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        for part in parts {
            part.withUnsafeBufferPointer { buffer in
                _ = crypto_hash_sha256_update(&state, buffer.baseAddress, UInt64(buffer.count))
            }
        }
        var output = [UInt8](repeating: 0, count: outputLength)
        output.withUnsafeMutableBufferPointer { out in
            _ = crypto_hash_sha256_final(&state, out.baseAddress!)
        }
        return output
    }
}
