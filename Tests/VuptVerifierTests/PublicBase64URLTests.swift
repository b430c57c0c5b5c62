import Testing
import VuptSodium
@testable import VuptVerifier

/// The table-driven base64url codec for public tokens agrees with libsodium's
/// constant-time one on every length and refuses what libsodium refuses.
@Suite struct PublicBase64URLTests {
    @Test func encodingMatchesLibsodium() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...130 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = PublicBase64URL.encode(bytes)
            #expect(encoded == Base64URL.encode(bytes), "length \(length)")
            #expect(PublicBase64URL.decode(Array(encoded.utf8)[...]) == bytes, "length \(length)")
        }
    }

    @Test(arguments: ["A", "AAAAA", "AB", "AAB", "AA=", "AA A", "AA+A", "AA/A", "AA.A", "AAA\n"])
    func nonCanonicalTextRefused(text: String) {
        // "AB" and "AAB" leave non-zero bits after the last byte.
        #expect(PublicBase64URL.decode(Array(text.utf8)[...]) == nil)
        #expect((try? Base64URL.decode(text)) == nil)
    }

    @Test func everyCharacterDecodesLikeLibsodium() {
        for value in 0...255 {
            let text = [UInt8(ascii: "A"), UInt8(ascii: "A"), UInt8(ascii: "A"), UInt8(value)]
            let ours = PublicBase64URL.decode(text[...])
            let theirs = try? Base64URL.decode(String(decoding: text, as: UTF8.self))
            #expect(ours == theirs, "byte \(value)")
        }
    }
}
