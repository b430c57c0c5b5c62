import Testing
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// The official PASETO version 4 vectors: every `4-S-*` (public, must succeed) and
/// `4-F-*` (must fail) case. The `4-E-*` cases are local-purpose encryption, which this
/// toolkit does not implement.
@Suite struct PASETOVectorTests {
    @Test func signingVectorsRebuildSameToken() throws {
        guard let vectors = try VectorFile<PASETOVector>.load("v4.json") else { return }
        let signing = vectors.filter { $0.name.hasPrefix("4-S-") }
        #expect(!signing.isEmpty, "v4.json has no 4-S-* cases")

        for vector in signing {
            let seed = try #require(vector.secretKeySeed, "\(vector.name) has no secret-key-seed")
            let payloadText = try #require(vector.payload, "\(vector.name) has no payload")
            let key = try secretKey(seedHex: seed)
            #expect(
                TestSupport.hex(key.publicKey.rawRepresentation) == vector.publicKey,
                "\(vector.name): the public key derived from the seed differs from the vector's")

            let payload = Array(payloadText.utf8)
            let footer = Array(vector.footer.utf8)
            let message = PASETOv4Public.signingInput(
                payload: payload, footer: footer, implicitAssertion: Array(vector.implicitAssertion.utf8))
            let token = PASETOv4Public.assemble(payload: payload, signature: key.signature(for: message), footer: footer)
            #expect(token == vector.token, "\(vector.name): the assembled token differs from the vector's")
        }
    }

    @Test func signingVectorsVerify() throws {
        guard let vectors = try VectorFile<PASETOVector>.load("v4.json") else { return }
        let signing = vectors.filter { $0.name.hasPrefix("4-S-") }
        #expect(!signing.isEmpty, "v4.json has no 4-S-* cases")

        for vector in signing {
            let publicKeyHex = try #require(vector.publicKey, "\(vector.name) has no public-key")
            let publicKey = try Ed25519.PublicKey(rawRepresentation: TestSupport.bytes(hex: publicKeyHex))
            let parsed = try PASETOv4Public.parse(vector.token)
            #expect(parsed.footer == Array(vector.footer.utf8), "\(vector.name): the parsed footer differs")

            let payload = try PASETOv4Public.verify(
                parsed, publicKey: publicKey, implicitAssertion: Array(vector.implicitAssertion.utf8))
            #expect(payload == Array((vector.payload ?? "").utf8), "\(vector.name): the verified payload differs")
        }
    }

    @Test func failureVectorsAreRejected() throws {
        guard let vectors = try VectorFile<PASETOVector>.load("v4.json") else { return }
        let failures = vectors.filter { $0.name.hasPrefix("4-F-") }
        #expect(!failures.isEmpty, "v4.json has no 4-F-* cases")
        // Cases built for the local purpose carry no public key. They are checked against
        // the key pair of the signing cases, which all share one.
        let sharedKeyHex = try #require(
            vectors.first { $0.name.hasPrefix("4-S-") }?.publicKey, "v4.json has no 4-S-* public key")

        for vector in failures {
            #expect(vector.expectFail, "\(vector.name) is not marked expect-fail")
            let publicKey = try Ed25519.PublicKey(
                rawRepresentation: TestSupport.bytes(hex: vector.publicKey ?? sharedKeyHex))
            #expect(throws: TokenError.self, "\(vector.name) was accepted") {
                let parsed = try PASETOv4Public.parse(vector.token)
                _ = try PASETOv4Public.verify(
                    parsed, publicKey: publicKey, implicitAssertion: Array(vector.implicitAssertion.utf8))
            }
        }
    }
}
