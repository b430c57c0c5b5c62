import Testing
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// The official PASERK vectors for `k4.public` and `k4.pid`, and the prefix and length
/// checks of `PASERK.decodePublic`.
@Suite struct PASERKPublicVectorTests {
    @Test func publicVectorsEncodeAndDecode() throws {
        guard let vectors = try VectorFile<PublicPASERKVector>.load("k4.public.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.public.json has no passing cases")

        for vector in passing {
            let paserk = try #require(vector.paserk, "\(vector.name) has no paserk")
            let key = try Ed25519.PublicKey(rawRepresentation: TestSupport.bytes(hex: vector.key))
            #expect(PASERK.encodePublic(key) == paserk, "\(vector.name): encoding differs")

            let decoded = try PASERK.decodePublic(paserk)
            #expect(TestSupport.hex(decoded.rawRepresentation) == vector.key, "\(vector.name): decoded key differs")
        }
    }

    /// The failing `k4.public` case is a 49-byte version 3 (P-384) key: it is no Ed25519
    /// key, and neither its `k3.public` nor a `k4.public` serialization decodes.
    @Test func publicFailureVectorsRejected() throws {
        guard let vectors = try VectorFile<PublicPASERKVector>.load("k4.public.json") else { return }
        let failing = vectors.filter(\.expectFail)
        #expect(!failing.isEmpty, "k4.public.json has no expect-fail cases")

        for vector in failing {
            let bytes = TestSupport.bytes(hex: vector.key)
            #expect(throws: SodiumError.self, "\(vector.name): the raw key was accepted") {
                try Ed25519.PublicKey(rawRepresentation: bytes)
            }
            #expect(
                throws: PASERKError.invalidLength(expected: 32, actual: bytes.count),
                "\(vector.name): k4.public of the key was accepted"
            ) {
                try PASERK.decodePublic("k4.public." + Base64URL.encode(bytes))
            }
            #expect(
                throws: PASERKError.wrongType(expected: "k4.public", found: "k3.public"),
                "\(vector.name): k3.public was accepted"
            ) {
                try PASERK.decodePublic("k3.public." + Base64URL.encode(bytes))
            }
        }
    }

    @Test func pidVectorsMatch() throws {
        guard let vectors = try VectorFile<PublicPASERKVector>.load("k4.pid.json") else { return }
        let passing = vectors.filter { !$0.expectFail }
        #expect(!passing.isEmpty, "k4.pid.json has no passing cases")

        for vector in passing {
            let paserk = try #require(vector.paserk, "\(vector.name) has no paserk")
            let key = try Ed25519.PublicKey(rawRepresentation: TestSupport.bytes(hex: vector.key))
            #expect(PASERK.publicKeyID(key) == paserk, "\(vector.name): key id differs")
            #expect(
                PASERK.identifier(type: "k4.pid.", of: PASERK.encodePublic(key)) == paserk,
                "\(vector.name): identifier(type:of:) differs")
        }
    }

    /// The failing `k4.pid` cases are a 31-byte key and a 49-byte version 3 key. Neither
    /// becomes an `Ed25519.PublicKey`, so no id can be computed for them.
    @Test func pidFailureVectorsRejected() throws {
        guard let vectors = try VectorFile<PublicPASERKVector>.load("k4.pid.json") else { return }
        let failing = vectors.filter(\.expectFail)
        #expect(!failing.isEmpty, "k4.pid.json has no expect-fail cases")

        for vector in failing {
            let bytes = TestSupport.bytes(hex: vector.key)
            #expect(
                throws: SodiumError.invalidLength(what: "Ed25519 public key", expected: 32, actual: bytes.count),
                "\(vector.name): the key was accepted"
            ) {
                try Ed25519.PublicKey(rawRepresentation: bytes)
            }
            #expect(
                throws: PASERKError.invalidLength(expected: 32, actual: bytes.count),
                "\(vector.name): k4.public of the key was accepted"
            ) {
                try PASERK.decodePublic("k4.public." + Base64URL.encode(bytes))
            }
        }
    }

    @Test(arguments: ["k4.secret.", "k4.pid.", "k4.local.", "k2.public.", "K4.public.", "k4.publi"])
    func otherPrefixRejected(prefix: String) {
        let text = prefix + Base64URL.encode([UInt8](repeating: 0, count: 32))

        let error = #expect(throws: PASERKError.self) { try PASERK.decodePublic(text) }
        guard case .wrongType(let expected, _)? = error else {
            Issue.record("\(prefix): expected wrongType, got \(String(describing: error))")
            return
        }
        #expect(expected == "k4.public")
    }

    @Test func paddedDataRejected() {
        // 32 bytes encode to 43 characters, and padded base64 adds one "=".
        let text = "k4.public." + Base64URL.encode([UInt8](repeating: 0, count: 32)) + "="

        #expect(throws: PASERKError.invalidEncoding) { try PASERK.decodePublic(text) }
    }

    @Test func surroundingWhiteSpaceRejected() {
        let text = "k4.public." + Base64URL.encode([UInt8](repeating: 0, count: 32)) + "\n"

        #expect(throws: PASERKError.invalidEncoding) { try PASERK.decodePublic(text) }
    }

    @Test func emptyDataRejected() {
        #expect(throws: PASERKError.invalidLength(expected: 32, actual: 0)) { try PASERK.decodePublic("k4.public.") }
    }

    @Test func trustedKeyTrimsWhiteSpace() throws {
        let publicKey = try Ed25519.SecretKey.generate().publicKey
        let key = try TrustedKey(name: "vendor.pub", paserk: "  \(PASERK.encodePublic(publicKey))\r\n", source: .compiledIn)

        #expect(key.publicKey == publicKey)
        #expect(key.keyID == PASERK.publicKeyID(publicKey))
    }
}
