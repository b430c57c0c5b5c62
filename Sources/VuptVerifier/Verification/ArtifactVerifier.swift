import VuptSodium

/// A license whose signature verified with a trusted key and whose claims decoded.
public struct VerifiedLicense: Sendable {
    /// The token exactly as verified, without white space.
    public let token: String
    public let claims: LicenseClaims
    public let key: TrustedKey

    package init(token: String, claims: LicenseClaims, key: TrustedKey) {
        self.token = token
        self.claims = claims
        self.key = key
    }
}

/// Signature verification for every kind of PASETO artifact, before any claim is read.
public enum ArtifactVerifier {
    /// Footers are small JSON objects; anything larger is rejected unparsed.
    public static let maximumFooterLength = 1024
    /// Tokens longer than this are rejected before decoding.
    public static let maximumTokenLength = 64 * 1024

    /// Verifies `token` as an artifact of `kind` and returns the signed payload and the key.
    ///
    /// The footer is read before the signature check, because it names the key. Its
    /// `typ` only picks a clearer error message. The domain tag that is verified always
    /// comes from `kind`, never from the token.
    public static func verify(
        token: String, kind: ArtifactKind, trustedKeys: TrustedKeySet
    ) throws(ArtifactError) -> (payload: [UInt8], key: TrustedKey) {
        try verify(tokenBytes: Array(token.utf8), kind: kind, trustedKeys: trustedKeys)
    }

    /// Verifies the UTF-8 bytes of a token as an artifact of `kind`, as `verify(token:kind:trustedKeys:)` does.
    public static func verify(
        tokenBytes: [UInt8], kind: ArtifactKind, trustedKeys: TrustedKeySet
    ) throws(ArtifactError) -> (payload: [UInt8], key: TrustedKey) {
        guard tokenBytes.count <= maximumTokenLength else {
            throw .tokenTooLong(length: tokenBytes.count, limit: maximumTokenLength)
        }
        let unverified: PASETOv4Public.UnverifiedToken
        do {
            unverified = try PASETOv4Public.parse(bytes: tokenBytes)
        } catch {
            switch error {
            case .unsupportedHeader(let header): throw .unsupportedTokenHeader(header)
            case .invalidEncoding(let part): throw .invalidEncoding("the token's \(part) is not base64url")
            case .malformed(let detail): throw .malformed(detail)
            case .signatureInvalid: throw .signatureInvalid(keyID: "")
            }
        }

        let footer = try Footer(unverified.footer)
        if let typ = footer.type, typ != kind.domainTag {
            if let other = ArtifactKind.matching(tagPrefixOf: typ), other != kind {
                throw .wrongKind(expected: kind, found: other.displayName)
            }
            if ArtifactKind.matching(tagPrefixOf: typ) == kind {
                throw .unsupportedVersion(found: typ, supported: kind.domainTag)
            }
            throw .wrongKind(expected: kind, found: "'\(typ)'")
        }
        guard let key = trustedKeys.key(forID: footer.keyID) else { throw .unknownKey(keyID: footer.keyID) }

        do {
            let payload = try PASETOv4Public.verify(
                unverified, publicKey: key.publicKey, implicitAssertion: Array(kind.domainTag.utf8))
            return (payload, key)
        } catch {
            throw .signatureInvalid(keyID: key.keyID)
        }
    }

    /// Verifies a license token and decodes its claims.
    public static func verifyLicense(token: String, trustedKeys: TrustedKeySet) throws(ArtifactError) -> VerifiedLicense {
        let (payload, key) = try verify(token: token, kind: .license, trustedKeys: trustedKeys)
        let claims = try LicenseClaims(payloadJSON: payload)
        return VerifiedLicense(token: token, claims: claims, key: key)
    }

    /// Finds the license blocks in a file's bytes, verifies them and decodes their claims.
    ///
    /// With several license blocks, as when a license and its renewal were pasted into one
    /// e-mail, the verified one with the highest sequence wins, the first on a tie. When
    /// none verifies, the first block's error is thrown. A file whose blocks are all of
    /// another kind is reported as the wrong kind.
    public static func verifyLicenseFile(_ bytes: [UInt8], trustedKeys: TrustedKeySet) throws(ArtifactError) -> VerifiedLicense {
        let blocks = try ArmoredFile.blocks(in: bytes)
        let licenseBlocks = blocks.filter { $0.kind == .license }
        guard !licenseBlocks.isEmpty else {
            throw .wrongKind(expected: .license, found: blocks[0].kind?.displayName ?? blocks[0].label)
        }
        var best: VerifiedLicense?
        var firstError: ArtifactError?
        for block in licenseBlocks {
            do {
                let license = try verifyLicense(token: block.token, trustedKeys: trustedKeys)
                if best == nil || license.claims.sequence > best!.claims.sequence { best = license }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let best { return best }
        throw firstError!
    }
}

/// The unauthenticated footer: `{"kid": "k4.pid.…", "typ": "vupt:license:v1"}`.
struct Footer {
    let keyID: String
    let type: String?

    init(_ bytes: [UInt8]) throws(ArtifactError) {
        guard !bytes.isEmpty else { throw .missingKeyID }
        guard bytes.count <= ArtifactVerifier.maximumFooterLength else {
            throw .malformed("the footer is \(bytes.count) bytes, over \(ArtifactVerifier.maximumFooterLength)")
        }
        if let (keyID, type) = Footer.plainMembers(bytes) {
            guard keyID.hasPrefix("k4.pid.") else {
                throw .malformed("the footer's kid '\(keyID.prefix(40))' is not a k4.pid key id")
            }
            (self.keyID, self.type) = (keyID, type)
            return
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes, maximumDepth: 2)
        } catch .duplicateKey(let name) {
            throw .duplicateKey(name)
        } catch {
            throw .invalidEncoding("the footer is not a JSON object")
        }
        guard case .object = json else { throw .invalidEncoding("the footer is not a JSON object") }
        guard case .string(let keyID)? = json["kid"] else { throw .missingKeyID }
        guard keyID.hasPrefix("k4.pid.") else {
            throw .malformed("the footer's kid '\(keyID.prefix(40))' is not a k4.pid key id")
        }
        self.keyID = keyID
        switch json["typ"] {
        case nil: type = nil
        case .string(let text)?: type = text
        default: throw .malformed("the footer's typ is not a string")
        }
    }

    private static let kidPrefix = Array(#"{"kid":""#.utf8)
    private static let typPrefix = Array(#"","typ":""#.utf8)

    /// Returns the key id and type of a footer as every Vupt signer writes it,
    /// `{"kid":"…","typ":"…"}` with ASCII text that needs no escape, without the JSON parser.
    /// Returns nil for any other footer, which the parser then reads.
    private static func plainMembers(_ bytes: [UInt8]) -> (keyID: String, type: String)? {
        let (kidPrefix, typPrefix) = (Footer.kidPrefix, Footer.typPrefix)
        return bytes.withUnsafeBufferPointer { buffer -> (String, String)? in
            func plainASCII(from start: Int) -> Int? {
                let end = JSONString.plainRunEnd(buffer, from: start)
                guard end < buffer.count, buffer[start..<end].allSatisfy({ $0 < 0x80 }) else { return nil }
                return end
            }
            guard buffer.starts(with: kidPrefix), let kidEnd = plainASCII(from: kidPrefix.count),
                buffer[kidEnd...].starts(with: typPrefix), let typEnd = plainASCII(from: kidEnd + typPrefix.count),
                typEnd + 2 == buffer.count, buffer[typEnd] == UInt8(ascii: "\""), buffer[typEnd + 1] == UInt8(ascii: "}")
            else { return nil }
            return (
                String(decoding: buffer[kidPrefix.count..<kidEnd], as: UTF8.self),
                String(decoding: buffer[(kidEnd + typPrefix.count)..<typEnd], as: UTF8.self)
            )
        }
    }
}
