import Foundation
import Testing
import VuptSodium
import VuptVerifier

/// Every documented input limit, at the limit (accepted) and one past it (rejected with
/// its own error).
@Suite struct InputLimitTests {
    let signer = TestSigner.shared
    static let issued = TestLicenses.time("2026-01-01T00:00:00Z")

    func claims(features: [String] = ["desktop-app"], name: String = "Acme Corp") -> LicenseClaims {
        var claims = TestLicenses.claims(issuedAt: Self.issued, notAfter: TestLicenses.time("2027-01-01T00:00:00Z"))
        claims.features = features
        claims.customerName = name
        return claims
    }

    /// Signs a payload given as raw JSON text, so that limits the encoder never reaches
    /// can be tested.
    func token(payload: String) -> String {
        let bytes = Array(payload.utf8)
        let message = PASETOv4Public.signingInput(
            payload: bytes, footer: signer.footer, implicitAssertion: Array(ArtifactKind.license.domainTag.utf8))
        return PASETOv4Public.assemble(payload: bytes, signature: signer.secretKey.signature(for: message), footer: signer.footer)
    }

    @Test func fileSizeLimit() throws {
        let license = signer.file(claims())
        // Lines of 1,000 bytes stay under the line limit.
        var padding: [UInt8] = []
        let line = [UInt8](repeating: UInt8(ascii: "#"), count: 999) + [0x0A]
        while padding.count + line.count <= ArmoredFile.maximumFileSize - license.count { padding += line }
        let rest = ArmoredFile.maximumFileSize - license.count - padding.count
        if rest > 0 { padding += [UInt8](repeating: UInt8(ascii: "#"), count: rest - 1) + [0x0A] }
        let atLimit = padding + license
        #expect(atLimit.count == ArmoredFile.maximumFileSize)
        #expect(throws: Never.self) { try ArtifactVerifier.verifyLicenseFile(atLimit, trustedKeys: signer.trustedKeys) }
        #expect(throws: ArtifactError.tooLarge(size: ArmoredFile.maximumFileSize + 1, limit: ArmoredFile.maximumFileSize)) {
            try ArmoredFile.blocks(in: [UInt8(ascii: "#")] + atLimit)
        }
    }

    @Test func lineLengthLimit() throws {
        let license = signer.file(claims())
        let longLine = { (count: Int) in [UInt8](repeating: UInt8(ascii: "x"), count: count) + [0x0A] + license }
        #expect(throws: Never.self) {
            try ArmoredFile.blocks(in: longLine(ArmoredFile.maximumLineLength))
        }
        #expect(throws: ArtifactError.self) { try ArmoredFile.blocks(in: longLine(ArmoredFile.maximumLineLength + 1)) }
    }

    @Test func tokenLengthLimit() throws {
        let limit = ArtifactVerifier.maximumTokenLength
        let atLimit = "v4.public." + String(repeating: "A", count: limit - 10)
        let overLimit = atLimit + "A"
        // At the limit the token is read and fails later, on its content, not its length.
        #expect(throws: ArtifactError.self) { try ArtifactVerifier.verifyLicense(token: atLimit, trustedKeys: signer.trustedKeys) }
        do {
            _ = try ArtifactVerifier.verifyLicense(token: atLimit, trustedKeys: signer.trustedKeys)
        } catch {
            #expect(error != .tokenTooLong(length: limit, limit: limit))
        }
        #expect(throws: ArtifactError.tokenTooLong(length: limit + 1, limit: limit)) {
            try ArtifactVerifier.verifyLicense(token: overLimit, trustedKeys: signer.trustedKeys)
        }
    }

    @Test func featureCountLimit() throws {
        let atLimit = (1...LicenseClaims.maximumFeatures).map { "feature-\($0)" }
        #expect(try signer.verified(claims(features: atLimit)).claims.features.count == LicenseClaims.maximumFeatures)
        #expect(throws: ArtifactError.self) {
            try signer.verified(claims(features: atLimit + ["one-more"]))
        }
    }

    @Test func stringLengthLimit() throws {
        let atLimit = String(repeating: "n", count: LicenseClaims.maximumStringLength)
        #expect(try signer.verified(claims(name: atLimit)).claims.customerName == atLimit)
        #expect(throws: ArtifactError.invalidClaim(name: "customerName", reason: "longer than 256 bytes")) {
            try signer.verified(claims(name: atLimit + "n"))
        }
    }

    @Test func payloadSizeLimit() throws {
        let base = String(decoding: claims().payloadJSON(), as: UTF8.self)
        // Unknown members are ignored, so padding one changes only the size.
        let fill = { (size: Int) in
            let prefix = "{\"pad\":\""
            let suffix = "\"," + base.dropFirst()
            return prefix + String(repeating: "p", count: size - prefix.count - suffix.count) + suffix
        }
        let atLimit = fill(LicenseClaims.maximumPayloadSize)
        #expect(atLimit.utf8.count == LicenseClaims.maximumPayloadSize)
        #expect(throws: Never.self) { try ArtifactVerifier.verifyLicense(token: token(payload: atLimit), trustedKeys: signer.trustedKeys) }
        #expect(throws: ArtifactError.self) {
            try ArtifactVerifier.verifyLicense(token: token(payload: fill(LicenseClaims.maximumPayloadSize + 1)), trustedKeys: signer.trustedKeys)
        }
    }

    @Test func jsonDepthLimit() throws {
        let base = String(decoding: claims().payloadJSON(), as: UTF8.self)
        let nested = { (depth: Int) in
            "{\"deep\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "," + base.dropFirst()
        }
        #expect(throws: Never.self) {
            try ArtifactVerifier.verifyLicense(token: token(payload: nested(LicenseClaims.maximumJSONDepth)), trustedKeys: signer.trustedKeys)
        }
        #expect(throws: ArtifactError.self) {
            try ArtifactVerifier.verifyLicense(token: token(payload: nested(LicenseClaims.maximumJSONDepth + 1)), trustedKeys: signer.trustedKeys)
        }
    }

    @Test func integerClaimsNeverWrap() throws {
        let base = String(decoding: claims().payloadJSON(), as: UTF8.self)
        for literal in ["9223372036854775808", "18446744073709551617", "1e3", "25.0"] {
            let payload = base.replacingSeats(with: literal)
            #expect(throws: ArtifactError.self, "seats \(literal)") {
                try ArtifactVerifier.verifyLicense(token: token(payload: payload), trustedKeys: signer.trustedKeys)
            }
        }
        #expect(throws: ArtifactError.invalidSeats("-9223372036854775809")) {
            try ArtifactVerifier.verifyLicense(
                token: token(payload: base.replacingSeats(with: "-9223372036854775809")), trustedKeys: signer.trustedKeys)
        }
    }

    @Test func keyAndSignatureLengths() throws {
        for length in [31, 33] {
            #expect(throws: SodiumError.invalidLength(what: "Ed25519 public key", expected: 32, actual: length)) {
                try Ed25519.PublicKey(rawRepresentation: [UInt8](repeating: 1, count: length))
            }
        }
        let key = signer.secretKey.publicKey
        let message: [UInt8] = [1, 2, 3]
        let signature = signer.secretKey.signature(for: message)
        #expect(key.isValidSignature(signature, for: message))
        #expect(!key.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!key.isValidSignature(signature + [0], for: message))
    }

    @Test func proofLengthLimit() throws {
        func proof(hashes: Int) -> [UInt8] {
            let hash = Base64Standard.encode([UInt8](repeating: 7, count: 32))
            let list = Array(repeating: "\"\(hash)\"", count: hashes).joined(separator: ",")
            return Array(("{\"format\":\"vupt-inclusion-proof/v1\",\"leafIndex\":0,\"treeSize\":2,\"entry\":\"\","
                + "\"hashes\":[\(list)],\"checkpoint\":\"x\"}").utf8)
        }
        #expect(throws: Never.self) { try InclusionProof(json: proof(hashes: InclusionProof.maximumHashes)) }
        #expect(throws: ProofError.self) { try InclusionProof(json: proof(hashes: InclusionProof.maximumHashes + 1)) }
    }
}

extension String {
    /// Replaces the value of the `seats` member in compact payload JSON.
    func replacingSeats(with literal: String) -> String {
        guard let range = range(of: "\"seats\":25") else { return self }
        return replacingCharacters(in: range, with: "\"seats\":\(literal)")
    }
}
