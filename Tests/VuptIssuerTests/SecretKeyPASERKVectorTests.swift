import Testing
import VuptIssuer
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// The official PASERK vectors for `k4.secret`, `k4.sid` and `k4.secret-pw`.
///
/// Each passing `k4.secret-pw` case runs Argon2id twice with the vector's costs (up to
/// 256 MiB and 3 passes), once to unwrap and once to wrap again.
@Suite struct SecretKeyPASERKVectorTests {
    // MARK: k4.secret

    @Test func secretVectorsEncodeAndDecode() throws {
        guard let vectors = try VectorFile<SecretPASERKVector>.load("k4.secret.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.secret.json has no passing cases")

        for vector in passing {
            let paserk = try #require(vector.paserk, "\(vector.name) has no paserk")
            let seedHex = String(vector.key.prefix(2 * Ed25519.seedLength))
            let key = try secretKey(seedHex: seedHex)
            #expect(key.hex == vector.key, "\(vector.name): the key derived from the seed differs")
            #expect(SecretKeyPASERK.encodeSecret(key) == paserk, "\(vector.name): encoding differs")

            let decoded = try SecretKeyPASERK.decodeSecret(paserk)
            #expect(decoded.hex == vector.key, "\(vector.name): decoded key differs")
            #expect(
                TestSupport.hex(decoded.publicKey.rawRepresentation) == vector.publicKey,
                "\(vector.name): decoded public key differs")
        }
    }

    /// The failing cases are a 31-byte key and a 48-byte key: neither is an Ed25519
    /// secret key, under the `k4.secret` header or the version 3 one.
    @Test func secretFailureVectorsRejected() throws {
        guard let vectors = try VectorFile<SecretPASERKVector>.load("k4.secret.json") else { return }
        let failing = vectors.filter(\.expectFail)
        #expect(!failing.isEmpty, "k4.secret.json has no expect-fail cases")

        for vector in failing {
            let bytes = TestSupport.bytes(hex: vector.key)
            #expect(
                throws: PASERKError.invalidLength(expected: 64, actual: bytes.count),
                "\(vector.name): k4.secret of the key was accepted"
            ) {
                try SecretKeyPASERK.decodeSecret("k4.secret." + Base64URL.encode(bytes))
            }
            #expect(
                throws: PASERKError.wrongType(expected: "k4.secret", found: "k3.secret"),
                "\(vector.name): k3.secret was accepted"
            ) {
                try SecretKeyPASERK.decodeSecret("k3.secret." + Base64URL.encode(bytes))
            }
            #expect(throws: SodiumError.self, "\(vector.name): the raw key was accepted") {
                try Ed25519.SecretKey(secretKeyBytes: secureBytes(bytes))
            }
        }
    }

    // MARK: k4.sid

    @Test func sidVectorsMatch() throws {
        guard let vectors = try VectorFile<SecretPASERKVector>.load("k4.sid.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.sid.json has no passing cases")

        for vector in passing {
            let paserk = try #require(vector.paserk, "\(vector.name) has no paserk")
            let key = try secretKey(seedHex: String(vector.key.prefix(2 * Ed25519.seedLength)))
            #expect(key.hex == vector.key, "\(vector.name): the key derived from the seed differs")
            #expect(SecretKeyPASERK.secretKeyID(key) == paserk, "\(vector.name): key id differs")
        }
    }

    /// The failing case is a 48-byte version 3 key, which no `Ed25519.SecretKey` holds,
    /// so no `k4.sid` can be computed for it.
    @Test func sidFailureVectorsRejected() throws {
        guard let vectors = try VectorFile<SecretPASERKVector>.load("k4.sid.json") else { return }
        let failing = vectors.filter(\.expectFail)
        #expect(!failing.isEmpty, "k4.sid.json has no expect-fail cases")

        for vector in failing {
            let bytes = TestSupport.bytes(hex: vector.key)
            #expect(throws: SodiumError.self, "\(vector.name): the key was accepted") {
                try Ed25519.SecretKey(secretKeyBytes: secureBytes(bytes))
            }
            #expect(throws: PASERKError.self, "\(vector.name): k4.secret of the key was accepted") {
                try SecretKeyPASERK.decodeSecret("k4.secret." + Base64URL.encode(bytes))
            }
        }
    }

    // MARK: k4.secret-pw

    @Test func passwordVectorsUnwrap() throws {
        guard let vectors = try VectorFile<PasswordWrapVector>.load("k4.secret-pw.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.secret-pw.json has no passing cases")

        for vector in passing {
            let parameters = try SecretKeyPASERK.wrapParameters(vector.paserk)
            #expect(parameters.memoryLimit == vector.options.memlimit, "\(vector.name): memory cost differs")
            #expect(parameters.operationsLimit == vector.options.opslimit, "\(vector.name): time cost differs")

            let key = try SecretKeyPASERK.unwrap(vector.paserk, password: secureBytes(vector.passwordBytes))
            #expect(key.hex == vector.unwrapped, "\(vector.name): unwrapped key differs")
        }
    }

    /// Wrapping the vector's key again with the salt and nonce stored in its PASERK
    /// must reproduce the PASERK exactly.
    @Test func passwordVectorsWrapIdentically() throws {
        guard let vectors = try VectorFile<PasswordWrapVector>.load("k4.secret-pw.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.secret-pw.json has no passing cases")

        for vector in passing {
            let unwrapped = try #require(vector.unwrapped, "\(vector.name) has no unwrapped key")
            let key = try secretKey(seedHex: String(unwrapped.prefix(2 * Ed25519.seedLength)))
            let data = try PASERK.decodeData(vector.paserk, type: "k4.secret-pw.")
            try #require(data.count == 152, "\(vector.name): wrapped data is \(data.count) bytes")

            let wrapped = try SecretKeyPASERK.wrap(
                key, password: secureBytes(vector.passwordBytes),
                parameters: PasswordWrapParameters(
                    memoryLimit: vector.options.memlimit, operationsLimit: vector.options.opslimit),
                salt: Array(data[0..<16]), nonce: Array(data[32..<56]))
            #expect(wrapped == vector.paserk, "\(vector.name): wrapped PASERK differs")
        }
    }

    /// Failure cases: a wrong password (`-fail-1`), an altered tag (`-fail-2`) and a
    /// version 3 PASERK (`-fail-3`). Cases added later must fail with any PASERK error.
    ///
    /// The altered tag of `-fail-2` ends in a character whose two low bits are set, and
    /// unpadded base64url requires them to be zero, so strict decoding rejects it before
    /// the tag check. `SecretKeyPASERKTests` covers altered tags that decode.
    @Test func passwordFailureVectorsRejected() throws {
        guard let vectors = try VectorFile<PasswordWrapVector>.load("k4.secret-pw.json") else { return }
        let failing = vectors.filter(\.expectFail)
        #expect(!failing.isEmpty, "k4.secret-pw.json has no expect-fail cases")
        let expectedErrors: [String: PASERKError] = [
            "k4.secret-pw-fail-1": .authenticationFailed,
            "k4.secret-pw-fail-2": .invalidEncoding,
            "k4.secret-pw-fail-3": .wrongType(expected: "k4.secret-pw", found: "k3.secret-pw"),
        ]

        for vector in failing {
            let error = #expect(throws: PASERKError.self, "\(vector.name) was accepted") {
                try SecretKeyPASERK.unwrap(vector.paserk, password: secureBytes(vector.passwordBytes))
            }
            if let expected = expectedErrors[vector.name] {
                #expect(error == expected, "\(vector.name) failed for another reason")
            }
        }
    }
}
