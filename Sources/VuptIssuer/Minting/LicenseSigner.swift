import VuptSodium
import VuptVerifier

/// The check a freshly signed license passes before it is recorded.
///
/// Either check keeps a signature that a fault in the signing computation changed from
/// ever reaching a customer; with Ed25519 such a signature beside a correct one for the same
/// bytes would give away the secret key.
public enum SignatureSelfCheck: Sendable {
    /// Verify the signature with the key's public half. This also catches a secret key
    /// damaged in memory, which would sign wrongly every time.
    case verify
    /// Sign the same bytes again and compare: a passing fault changes one result and not
    /// the other. It costs one signature instead of one verification, about 2.5 signatures.
    case signAgain
}

/// Signs artifacts as PASETO v4.public tokens with the artifact kind's domain tag.
public enum ArtifactSigner {
    /// Signs `payload` and returns the token. The footer names the key and the kind.
    public static func sign(payload: [UInt8], kind: ArtifactKind, key: Ed25519.SecretKey) -> String {
        signed(payload: payload, kind: kind, key: key, keyID: PASERK.publicKeyID(key.publicKey)).token
    }

    private static func signed(
        payload: [UInt8], kind: ArtifactKind, key: Ed25519.SecretKey, keyID: String
    ) -> (token: String, message: [UInt8], footer: [UInt8], signature: [UInt8]) {
        let footer = JSONValue.object([("kid", .string(keyID)), ("typ", .string(kind.domainTag))]).serialized()
        let message = PASETOv4Public.signingInput(
            payload: payload, footer: footer, implicitAssertion: Array(kind.domainTag.utf8))
        let signature = key.signature(for: message)
        return (PASETOv4Public.assemble(payload: payload, signature: signature, footer: footer), message, footer, signature)
    }

    /// Signs license claims and checks the result before returning it: the signature with
    /// `check`, and the token by decoding it back, as a customer would, to the same claims.
    public static func signLicense(
        _ claims: LicenseClaims, key: Ed25519.SecretKey, check: SignatureSelfCheck = .verify
    ) throws(MintError) -> VerifiedLicense {
        let signingKey = TrustedKey(name: "signing key", publicKey: key.publicKey, source: .compiledIn)
        let payload = claims.payloadJSON()
        let result = signed(payload: payload, kind: .license, key: key, keyID: signingKey.keyID)
        switch check {
        case .verify:
            guard key.publicKey.isValidSignature(result.signature, for: result.message) else {
                throw .selfCheckFailed("the signature does not verify with the key's public half")
            }
        case .signAgain:
            guard Sodium.constantTimeEqual(key.signature(for: result.message), result.signature) else {
                throw .selfCheckFailed("two signatures of the same bytes differ")
            }
        }
        do {
            let parsed = try PASETOv4Public.parse(result.token)
            guard parsed.payload == payload, parsed.footer == result.footer, parsed.signature == result.signature,
                try LicenseClaims(payloadJSON: parsed.payload) == claims
            else { throw MintError.selfCheckFailed("claims changed in encoding") }
        } catch let error as MintError {
            throw error
        } catch {
            throw .selfCheckFailed("\(error)")
        }
        return VerifiedLicense(token: result.token, claims: claims, key: signingKey)
    }

    /// Returns the armored file text with informational lines for people.
    public static func licenseFileText(token: String, claims: LicenseClaims) -> String {
        ArmoredFile.armor(
            token: token, kind: .license,
            informationalLines: [
                "Serial:   \(claims.serial)",
                "Customer: \(claims.customerName) (\(claims.customerID))",
                "Tier:     \(claims.tier.rawValue), \(counted(claims.seats, "seat"))",
                "Valid:    \(claims.notBefore.rfc3339) to \(claims.notAfter.rfc3339)",
            ])
    }
}
