import Testing
import VuptIssuer
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// `SecretKeyPASERK` beyond the official vectors: round trips, wrong passwords, altered
/// data and keys whose public half does not match their seed.
///
/// Wrapping uses libsodium's minimum Argon2id costs (8 KiB, 1 pass), so each test runs
/// in milliseconds. The costs do not change any of the checks tested here.
@Suite struct SecretKeyPASERKTests {
    static let fastParameters = PasswordWrapParameters(
        memoryLimit: Argon2id.minimumMemoryLimit, operationsLimit: Argon2id.minimumOperationsLimit)

    let key: Ed25519.SecretKey

    init() throws {
        key = try Ed25519.SecretKey.generate()
    }

    func wrapped(password: String = "correct horse") throws -> String {
        try SecretKeyPASERK.wrap(key, password: secureBytes(password), parameters: Self.fastParameters)
    }

    /// Replaces the wrapped data of a `k4.secret-pw` PASERK.
    func paserk(withData data: [UInt8]) -> String {
        "k4.secret-pw." + Base64URL.encode(data)
    }

    func data(of paserk: String) throws -> [UInt8] {
        try PASERK.decodeData(paserk, type: "k4.secret-pw.")
    }

    // MARK: k4.secret

    @Test func secretRoundTrips() throws {
        let text = SecretKeyPASERK.encodeSecret(key)
        let decoded = try SecretKeyPASERK.decodeSecret(text)

        #expect(text.hasPrefix("k4.secret."))
        #expect(decoded.publicKey == key.publicKey)
        #expect(decoded.secureBytes.constantTimeEquals(key.secureBytes))
    }

    @Test func secretWithForeignPublicHalfIsKeyMismatch() throws {
        let other = try Ed25519.SecretKey.generate()
        let seed = key.secureBytes.withUnsafeBytes { Array($0.prefix(Ed25519.seedLength)) }
        let text = "k4.secret." + Base64URL.encode(seed + other.publicKey.rawRepresentation)

        #expect(throws: PASERKError.keyMismatch) { try SecretKeyPASERK.decodeSecret(text) }
    }

    @Test func secretWithOneFlippedPublicBitIsKeyMismatch() throws {
        var bytes = key.secureBytes.withUnsafeBytes { Array($0) }
        bytes[63] ^= 0x80
        let text = "k4.secret." + Base64URL.encode(bytes)

        #expect(throws: PASERKError.keyMismatch) { try SecretKeyPASERK.decodeSecret(text) }
    }

    @Test func secretKeyIDHasPrefixAndIsStable() throws {
        let id = SecretKeyPASERK.secretKeyID(key)

        #expect(id.hasPrefix("k4.sid."))
        #expect(id == SecretKeyPASERK.secretKeyID(try SecretKeyPASERK.decodeSecret(SecretKeyPASERK.encodeSecret(key))))
        #expect(id != PASERK.publicKeyID(key.publicKey))
    }

    // MARK: k4.secret-pw

    @Test func wrapThenUnwrapRoundTrips() throws {
        let text = try wrapped()
        let unwrapped = try SecretKeyPASERK.unwrap(text, password: secureBytes("correct horse"))

        #expect(text.hasPrefix("k4.secret-pw."))
        #expect(try data(of: text).count == 152)
        #expect(unwrapped.publicKey == key.publicKey)
        #expect(unwrapped.secureBytes.constantTimeEquals(key.secureBytes))
    }

    @Test func wrapStoresParameters() throws {
        let parameters = try SecretKeyPASERK.wrapParameters(wrapped())

        #expect(parameters == Self.fastParameters)
    }

    @Test func wrapUsesFreshSaltAndNonce() throws {
        let first = try data(of: wrapped())
        let second = try data(of: wrapped())

        #expect(first[0..<16] != second[0..<16])
        #expect(first[32..<56] != second[32..<56])
    }

    @Test func wrongPasswordFailsAuthentication() throws {
        let text = try wrapped(password: "correct horse")

        #expect(throws: PASERKError.authenticationFailed) {
            try SecretKeyPASERK.unwrap(text, password: secureBytes("correct horsf"))
        }
    }

    /// Offsets into the 152 wrapped bytes: salt (0, 15), time cost (27), nonce (32, 55),
    /// encrypted key (56, 119) and tag (120, 151).
    @Test(arguments: [0, 15, 27, 32, 55, 56, 119, 120, 151])
    func alteredByteFailsAuthentication(offset: Int) throws {
        var bytes = try data(of: wrapped())
        // The time cost is 1. Flipping bit 1 makes it 3, which Argon2id still accepts,
        // so the tag check is what fails.
        bytes[offset] ^= offset == 27 ? 0x02 : 0x01

        #expect(throws: PASERKError.authenticationFailed) {
            try SecretKeyPASERK.unwrap(paserk(withData: bytes), password: secureBytes("correct horse"))
        }
    }

    /// A wrapped key whose tag is valid but whose decrypted public half does not match the
    /// seed. The test rebuilds the PBKW steps with the libsodium wrappers: it flips a bit
    /// of the encrypted public half and computes the tag again with the derived MAC key.
    @Test func unwrapOfMismatchedKeyIsKeyMismatch() throws {
        var bytes = try data(of: wrapped())
        bytes[56 + 63] ^= 0x01
        let preKey = try Argon2id.deriveKey(
            length: 32, password: secureBytes("correct horse"), salt: Array(bytes[0..<16]),
            operationsLimit: Self.fastParameters.operationsLimit, memoryLimit: Self.fastParameters.memoryLimit)
        let authenticationKey = try BLAKE2b.hash(prefix: 0xFE, secret: preKey)
        let tag = try BLAKE2b.hash(
            Array("k4.secret-pw.".utf8) + Array(bytes[0..<120]), outputLength: 32, key: authenticationKey
        ).withUnsafeBytes { Array($0) }
        bytes.replaceSubrange(120..<152, with: tag)

        #expect(throws: PASERKError.keyMismatch) {
            try SecretKeyPASERK.unwrap(paserk(withData: bytes), password: secureBytes("correct horse"))
        }
    }

    @Test func wrongLengthRejected() throws {
        let short = [UInt8](repeating: 0, count: 151)
        let long = [UInt8](repeating: 0, count: 153)

        #expect(throws: PASERKError.invalidLength(expected: 152, actual: 151)) {
            try SecretKeyPASERK.unwrap(paserk(withData: short), password: secureBytes("x"))
        }
        #expect(throws: PASERKError.invalidLength(expected: 152, actual: 153)) {
            try SecretKeyPASERK.unwrap(paserk(withData: long), password: secureBytes("x"))
        }
    }

    @Test func excessiveMemoryCostRejectedBeforeHashing() throws {
        var bytes = try data(of: wrapped())
        // Memory cost 8 GiB, big-endian in bytes 16..<24. The maximum is 4 GiB.
        bytes.replaceSubrange(16..<24, with: [0, 0, 0, 2, 0, 0, 0, 0])
        let error = #expect(throws: PASERKError.self) { try SecretKeyPASERK.wrapParameters(paserk(withData: bytes)) }

        guard case .unsupportedParameters? = error else {
            Issue.record("expected unsupportedParameters, got \(String(describing: error))")
            return
        }
    }

    @Test func parallelismOtherThanOneRejected() throws {
        var bytes = try data(of: wrapped())
        bytes[31] = 2
        let error = #expect(throws: PASERKError.self) {
            try SecretKeyPASERK.unwrap(paserk(withData: bytes), password: secureBytes("correct horse"))
        }

        guard case .unsupportedParameters? = error else {
            Issue.record("expected unsupportedParameters, got \(String(describing: error))")
            return
        }
    }

    @Test func otherTypeRejected() throws {
        let text = try wrapped().replacingOccurrencesOfPrefix("k4.secret-pw.", with: "k4.local-pw.")

        #expect(throws: PASERKError.wrongType(expected: "k4.secret-pw", found: "k4.local-pw")) {
            try SecretKeyPASERK.unwrap(text, password: secureBytes("correct horse"))
        }
    }
}

extension String {
    fileprivate func replacingOccurrencesOfPrefix(_ prefix: String, with replacement: String) -> String {
        precondition(hasPrefix(prefix))
        return replacement + dropFirst(prefix.count)
    }
}
