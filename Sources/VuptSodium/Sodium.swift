internal import CSodium

/// Errors from the libsodium wrapper. Each case names the value that failed.
public enum SodiumError: Error, Equatable, Sendable {
    /// `sodium_init` failed, so no cryptographic operation is safe to run.
    case initializationFailed
    /// A key, signature, salt or nonce had the wrong number of bytes.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// Argon2id could not allocate the memory its parameters request.
    case passwordHashingFailed(memoryLimit: Int, operationsLimit: Int)
    /// Argon2id parameters outside the range libsodium accepts.
    case invalidPasswordHashingParameters(String)
    /// `sodium_malloc` returned NULL.
    case outOfMemory(bytes: Int)
    /// Text that is not valid unpadded base64url.
    case invalidBase64
}

/// Entry point that guarantees `sodium_init` ran before any other call.
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Runs `sodium_init` once; every wrapper calls this first.
    public static func ensureInitialized() throws(SodiumError) {
        guard initialized else { throw .initializationFailed }
    }

    /// The libsodium version string, for diagnostics.
    public static var versionString: String {
        String(cString: sodium_version_string())
    }

    /// Returns `count` bytes from the operating system's CSPRNG.
    public static func randomBytes(count: Int) throws(SodiumError) -> [UInt8] {
        try ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return bytes
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        rhs.withUnsafeBytes { constantTimeEqual(lhs, $0) }
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { left in sodium_memcmp(left.baseAddress!, rhs.baseAddress!, left.count) == 0 }
    }

    /// Overwrites an array's bytes with zeros in a way the compiler cannot elide.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}
