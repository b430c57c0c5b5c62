import Foundation
import Testing
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// Token structure and signature checks of `PASETOv4Public` beyond the official vectors,
/// with a key pair generated for each test.
@Suite struct PASETOTokenTests {
    let key: Ed25519.SecretKey
    let payload = Array(#"{"sub":"customer-1"}"#.utf8)
    let footer = Array(#"{"kid":"k4.pid.test"}"#.utf8)
    let assertion = Array("vupt:license:v1".utf8)

    init() throws {
        key = try Ed25519.SecretKey.generate()
    }

    func signedToken(payload: [UInt8], footer: [UInt8]) -> String {
        let message = PASETOv4Public.signingInput(payload: payload, footer: footer, implicitAssertion: assertion)
        return PASETOv4Public.assemble(payload: payload, signature: key.signature(for: message), footer: footer)
    }

    @Test func roundTripWithFooter() throws {
        let token = signedToken(payload: payload, footer: footer)
        let parsed = try PASETOv4Public.parse(token)

        #expect(token.hasPrefix("v4.public."))
        #expect(parsed.footer == footer)
        #expect(try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: assertion) == payload)
    }

    @Test func roundTripWithoutFooter() throws {
        let token = signedToken(payload: payload, footer: [])
        let parsed = try PASETOv4Public.parse(token)

        #expect(token.split(separator: ".").count == 3)
        #expect(parsed.footer.isEmpty)
        #expect(try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: assertion) == payload)
    }

    @Test func emptyPayloadRoundTrip() throws {
        let parsed = try PASETOv4Public.parse(signedToken(payload: [], footer: []))

        #expect(parsed.payload.isEmpty)
        #expect(parsed.signature.count == Ed25519.signatureLength)
        #expect(try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: assertion).isEmpty)
    }

    @Test func wrongImplicitAssertionFails() throws {
        let parsed = try PASETOv4Public.parse(signedToken(payload: payload, footer: footer))

        #expect(throws: TokenError.signatureInvalid) {
            try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: Array("vupt:license:v2".utf8))
        }
        #expect(throws: TokenError.signatureInvalid) {
            try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: [])
        }
    }

    @Test func otherKeyFails() throws {
        let parsed = try PASETOv4Public.parse(signedToken(payload: payload, footer: footer))
        let otherKey = try Ed25519.SecretKey.generate()

        #expect(throws: TokenError.signatureInvalid) {
            try PASETOv4Public.verify(parsed, publicKey: otherKey.publicKey, implicitAssertion: assertion)
        }
    }

    @Test func alteredFooterFails() throws {
        let token = signedToken(payload: payload, footer: footer)
        let body = token.split(separator: ".")[2]
        let altered = "v4.public.\(body)." + Base64URL.encode(Array(#"{"kid":"k4.pid.other"}"#.utf8))
        let parsed = try PASETOv4Public.parse(altered)

        #expect(throws: TokenError.signatureInvalid) {
            try PASETOv4Public.verify(parsed, publicKey: key.publicKey, implicitAssertion: assertion)
        }
    }

    @Test func alteredPayloadByteFails() throws {
        let parsed = try PASETOv4Public.parse(signedToken(payload: payload, footer: footer))
        var body = parsed.payload + parsed.signature
        body[3] ^= 0x01
        let altered = "v4.public." + Base64URL.encode(body) + "." + Base64URL.encode(footer)
        let reparsed = try PASETOv4Public.parse(altered)

        #expect(throws: TokenError.signatureInvalid) {
            try PASETOv4Public.verify(reparsed, publicKey: key.publicKey, implicitAssertion: assertion)
        }
    }

    @Test(arguments: ["v4.local.", "v3.public.", "V4.public.", "v2.public."])
    func otherHeaderRejected(header: String) {
        let token = signedToken(payload: payload, footer: []).replacingPrefix("v4.public.", with: header)

        #expect(throws: TokenError.unsupportedHeader(header)) { try PASETOv4Public.parse(token) }
    }

    @Test func emptyTextRejected() {
        #expect(throws: TokenError.unsupportedHeader("")) { try PASETOv4Public.parse("") }
    }

    @Test func trailingDotRejected() {
        let token = signedToken(payload: payload, footer: []) + "."

        #expect(throws: TokenError.malformed("the footer part is present but empty")) {
            try PASETOv4Public.parse(token)
        }
    }

    @Test func extraPartRejected() {
        let token = signedToken(payload: payload, footer: footer) + ".eA"

        #expect(throws: TokenError.malformed("a v4.public token has 3 or 4 dot-separated parts, found 5")) {
            try PASETOv4Public.parse(token)
        }
    }

    @Test func paddedBodyRejected() {
        // 65 bytes encode to 87 characters, and padded base64 adds one "=".
        let token = "v4.public." + Base64URL.encode([UInt8](repeating: 7, count: 65)) + "="

        #expect(throws: TokenError.invalidEncoding(part: "payload")) { try PASETOv4Public.parse(token) }
    }

    @Test func standardAlphabetRejected() {
        // 0xFB 0xFF encodes to "-_" in base64url and "+/" in standard base64.
        let body = Base64URL.encode([0xFB, 0xFF] + [UInt8](repeating: 0, count: 64))
        let token = "v4.public." + body.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")

        #expect(body.hasPrefix("-_"))
        #expect(throws: TokenError.invalidEncoding(part: "payload")) { try PASETOv4Public.parse(token) }
    }

    @Test func invalidFooterEncodingRejected() {
        let token = signedToken(payload: payload, footer: []) + ".not base64"

        #expect(throws: TokenError.invalidEncoding(part: "footer")) { try PASETOv4Public.parse(token) }
    }

    @Test func bodyShorterThanSignatureRejected() {
        let token = "v4.public." + Base64URL.encode([UInt8](repeating: 1, count: 63))

        #expect(throws: TokenError.malformed("the signed part is 63 bytes, shorter than a 64-byte signature")) {
            try PASETOv4Public.parse(token)
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        precondition(hasPrefix(prefix))
        return replacement + dropFirst(prefix.count)
    }
}
