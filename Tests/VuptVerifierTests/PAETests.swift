import Testing
import VuptVerifier

/// Pre-authentication encoding: the examples in the PAE section of the PASETO
/// specification, plus the 64-bit little-endian lengths of longer pieces.
@Suite struct PAETests {
    @Test func emptyList() {
        #expect(PASETOv4Public.preAuthenticationEncoding([]) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func oneEmptyPiece() {
        let expected: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0]

        #expect(PASETOv4Public.preAuthenticationEncoding([[]]) == expected)
    }

    @Test func oneTestPiece() {
        let expected: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0] + [4, 0, 0, 0, 0, 0, 0, 0] + Array("test".utf8)

        #expect(PASETOv4Public.preAuthenticationEncoding([Array("test".utf8)]) == expected)
    }

    @Test func twoPiecesInOrder() {
        let expected: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0]
            + [2, 0, 0, 0, 0, 0, 0, 0] + Array("ab".utf8)
            + [1, 0, 0, 0, 0, 0, 0, 0] + Array("c".utf8)

        #expect(PASETOv4Public.preAuthenticationEncoding([Array("ab".utf8), Array("c".utf8)]) == expected)
    }

    @Test func concatenationDoesNotCollide() {
        let split = PASETOv4Public.preAuthenticationEncoding([Array("ab".utf8), Array("c".utf8)])
        let joined = PASETOv4Public.preAuthenticationEncoding([Array("a".utf8), Array("bc".utf8)])

        #expect(split != joined)
    }

    @Test func lengthAbove255IsLittleEndian() {
        let piece = [UInt8](repeating: 0x41, count: 0x0102)
        let encoded = PASETOv4Public.preAuthenticationEncoding([piece])

        #expect(Array(encoded[8..<16]) == [0x02, 0x01, 0, 0, 0, 0, 0, 0])
        #expect(encoded.count == 16 + 0x0102)
    }

    @Test func signingInputCoversHeaderAndParts() {
        let input = PASETOv4Public.signingInput(
            payload: Array("p".utf8), footer: Array("f".utf8), implicitAssertion: Array("i".utf8))
        let expected = PASETOv4Public.preAuthenticationEncoding([
            Array("v4.public.".utf8), Array("p".utf8), Array("f".utf8), Array("i".utf8),
        ])

        #expect(input == expected)
        #expect(Array(input[0..<8]) == [4, 0, 0, 0, 0, 0, 0, 0])
    }
}
