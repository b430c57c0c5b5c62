import VuptSodium

/// Errors in the structure or signature of a PASETO token.
public enum TokenError: Error, Equatable, Sendable {
    /// The token does not start with `v4.public.`; the found prefix is included.
    case unsupportedHeader(String)
    /// A token part is not unpadded base64url.
    case invalidEncoding(part: String)
    /// The token has the wrong number of dot-separated parts.
    case malformed(String)
    /// The Ed25519 signature does not verify with the selected key.
    case signatureInvalid
}

/// PASETO version 4, purpose `public`: Ed25519 over the pre-authentication encoding of
/// header, payload, footer and implicit assertion.
///
/// Only this one version and purpose exist here. A token that names another is rejected
/// before any key is touched, and no field of the token selects the algorithm.
public enum PASETOv4Public {
    public static let header = "v4.public."
    static let headerBytes = Array(header.utf8)

    /// The parts of a token whose structure is valid but whose signature is not checked yet.
    public struct UnverifiedToken: Sendable {
        public let payload: [UInt8]
        public let signature: [UInt8]
        /// The decoded footer; empty when the token has none.
        public let footer: [UInt8]
    }

    /// PAE from the PASETO specification: the piece count, then each piece's length,
    /// each as a 64-bit little-endian integer with the top bit cleared, before its bytes.
    public static func preAuthenticationEncoding(_ pieces: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(8 + pieces.reduce(0) { $0 + 8 + $1.count })
        appendLE64(UInt64(pieces.count), to: &output)
        for piece in pieces {
            appendLE64(UInt64(piece.count), to: &output)
            output += piece
        }
        return output
    }

    private static func appendLE64(_ value: UInt64, to output: inout [UInt8]) {
        let cleared = value & 0x7FFF_FFFF_FFFF_FFFF
        for shift in stride(from: 0, to: 64, by: 8) { output.append(UInt8(truncatingIfNeeded: cleared >> UInt64(shift))) }
    }

    /// Returns the exact bytes an Ed25519 signature covers.
    public static func signingInput(payload: [UInt8], footer: [UInt8], implicitAssertion: [UInt8]) -> [UInt8] {
        preAuthenticationEncoding([headerBytes, payload, footer, implicitAssertion])
    }

    /// Builds the token text from a payload, its signature and an optional footer.
    public static func assemble(payload: [UInt8], signature: [UInt8], footer: [UInt8]) -> String {
        var token = header + PublicBase64URL.encode(payload + signature)
        if !footer.isEmpty { token += "." + PublicBase64URL.encode(footer) }
        return token
    }

    /// Splits and decodes a token without verifying it.
    public static func parse(_ token: String) throws(TokenError) -> UnverifiedToken {
        try parse(bytes: Array(token.utf8))
    }

    /// Splits and decodes a token's UTF-8 bytes without verifying it.
    public static func parse(bytes: [UInt8]) throws(TokenError) -> UnverifiedToken {
        guard bytes.count >= headerBytes.count, bytes[..<headerBytes.count].elementsEqual(headerBytes) else {
            let token = String(decoding: bytes, as: UTF8.self)
            let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            let prefix = parts.count >= 2 ? "\(parts[0]).\(parts[1])." : String(token.prefix(16))
            throw .unsupportedHeader(prefix)
        }
        let rest = bytes[headerBytes.count...]
        let dot = rest.firstIndex(of: UInt8(ascii: "."))
        if let dot, rest[(dot + 1)...].contains(UInt8(ascii: ".")) {
            let dots = rest.count { $0 == UInt8(ascii: ".") }
            throw .malformed("a v4.public token has 3 or 4 dot-separated parts, found \(dots + 3)")
        }
        let bodyEnd = dot ?? rest.endIndex
        guard let body = PublicBase64URL.decode(rest[rest.startIndex..<bodyEnd]) else {
            throw .invalidEncoding(part: "payload")
        }
        guard body.count >= Ed25519.signatureLength else {
            throw .malformed("the signed part is \(body.count) bytes, shorter than a 64-byte signature")
        }
        var footer: [UInt8] = []
        if let dot {
            guard let decoded = PublicBase64URL.decode(rest[(dot + 1)...]) else {
                throw .invalidEncoding(part: "footer")
            }
            // An empty footer is written as no footer; a trailing "." would be a second
            // encoding of the same token.
            guard !decoded.isEmpty else { throw .malformed("the footer part is present but empty") }
            footer = decoded
        }
        let split = body.count - Ed25519.signatureLength
        return UnverifiedToken(payload: Array(body[..<split]), signature: Array(body[split...]), footer: footer)
    }

    /// Verifies the signature and returns the payload; nothing in the payload is read before.
    public static func verify(
        _ token: UnverifiedToken, publicKey: Ed25519.PublicKey, implicitAssertion: [UInt8]
    ) throws(TokenError) -> [UInt8] {
        let message = signingInput(payload: token.payload, footer: token.footer, implicitAssertion: implicitAssertion)
        guard publicKey.isValidSignature(token.signature, for: message) else { throw .signatureInvalid }
        return token.payload
    }
}
