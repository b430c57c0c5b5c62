internal import CSodium

/// Secret bytes in memory from `sodium_malloc`: guard pages around the buffer,
/// zeroed and released by `sodium_free` when the last reference goes away.
///
/// The buffer is written only during initialization, so sharing it across threads is safe.
public final class SecureBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer?
    /// Number of secret bytes.
    public let count: Int

    /// Allocates `count` bytes and lets `initializer` fill them.
    public init(
        count: Int,
        _ initializer: (UnsafeMutableRawBufferPointer) throws -> Void = { _ in }
    ) throws {
        try Sodium.ensureInitialized()
        self.count = count
        if count == 0 {
            pointer = nil
        } else {
            guard let allocated = sodium_malloc(count) else {
                throw SodiumError.outOfMemory(bytes: count)
            }
            sodium_memzero(allocated, count)
            pointer = allocated
        }
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            if let pointer { sodium_free(pointer) }
            throw error
        }
    }

    /// Copies `bytes` into guarded memory and zeroes the caller's array.
    public convenience init(consuming bytes: inout [UInt8]) throws {
        // Copying from `bytes` itself, not from a second reference to its buffer, keeps the
        // wipe below on the only copy instead of making a new one.
        try self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { sourceBuffer in
                if let base = buffer.baseAddress, let from = sourceBuffer.baseAddress {
                    base.copyMemory(from: from, byteCount: sourceBuffer.count)
                }
            }
        }
        Sodium.wipe(&bytes)
    }

    deinit {
        if let pointer { sodium_free(pointer) }
    }

    /// Gives read access to the secret bytes for the duration of `body`.
    public func withUnsafeBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Compares with another secret in constant time.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return sodium_memcmp(pointer!, other.pointer!, count) == 0
    }
}
