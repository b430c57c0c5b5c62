import VuptSodium
import VuptVerifier

/// Signs artifacts as PASETO v4.public tokens with the artifact kind's domain tag.
public enum ArtifactSigner {
    /// Signs `payload` and returns the token. The footer names the key and the kind.
    public static func sign(payload: [UInt8], kind: ArtifactKind, key: Ed25519.SecretKey) -> String {
        let footer = JSONValue.object([
            ("kid", .string(PASERK.publicKeyID(key.publicKey))),
            ("typ", .string(kind.domainTag)),
        ]).serialized()
        let message = PASETOv4Public.signingInput(
            payload: payload, footer: footer, implicitAssertion: Array(kind.domainTag.utf8))
        let signature = key.signature(for: message)
        return PASETOv4Public.assemble(payload: payload, signature: signature, footer: footer)
    }

    /// Signs license claims and verifies the token with the public half before returning it,
    /// so that a fault in signing never reaches a customer.
    public static func signLicense(_ claims: LicenseClaims, key: Ed25519.SecretKey) throws(MintError) -> VerifiedLicense {
        let token = sign(payload: claims.payloadJSON(), kind: .license, key: key)
        let trusted = TrustedKeySet([TrustedKey(name: "signing key", publicKey: key.publicKey, source: .compiledIn)])
        do {
            let verified = try ArtifactVerifier.verifyLicense(token: token, trustedKeys: trusted)
            guard verified.claims == claims else { throw MintError.selfCheckFailed("claims changed in encoding") }
            return verified
        } catch let error as MintError {
            throw error
        } catch {
            throw .selfCheckFailed("\(error)")
        }
    }

    /// Returns the armored file text with informational lines for people.
    public static func licenseFileText(token: String, claims: LicenseClaims) -> String {
        ArmoredFile.armor(
            token: token, kind: .license,
            informationalLines: [
                "Serial:   \(claims.serial)",
                "Customer: \(claims.customerName) (\(claims.customerID))",
                "Tier:     \(claims.tier.rawValue), \(claims.seats) seats",
                "Valid:    \(claims.notBefore.rfc3339) to \(claims.notAfter.rfc3339)",
            ])
    }
}
