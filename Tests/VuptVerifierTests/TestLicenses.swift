import VuptSodium
import VuptVerifier

/// Signs licenses for tests the way `vupt-issuer` does, with the PASETO pieces in
/// VuptVerifier, because this target cannot import VuptIssuer.
struct TestSigner: Sendable {
    let secretKey: Ed25519.SecretKey
    let trustedKey: TrustedKey

    /// One key for the whole test run. Generating it needs no passphrase and no file.
    static let shared: TestSigner = try! TestSigner()

    init() throws {
        secretKey = try Ed25519.SecretKey.generate()
        trustedKey = TrustedKey(name: "test", publicKey: secretKey.publicKey, source: .file(path: "test.pub"))
    }

    var trustedKeys: TrustedKeySet { TrustedKeySet([trustedKey]) }

    /// The footer `{"kid": "k4.pid.…", "typ": "vupt:license:v1"}`.
    var footer: [UInt8] {
        JSONValue.object([
            ("kid", .string(PASERK.publicKeyID(secretKey.publicKey))),
            ("typ", .string(ArtifactKind.license.domainTag)),
        ]).serialized()
    }

    /// Signs the claims as a `v4.public` token. The implicit assertion is the license
    /// domain tag unless `implicitAssertion` replaces it.
    func token(_ claims: LicenseClaims, implicitAssertion: String = ArtifactKind.license.domainTag) -> String {
        let payload = claims.payloadJSON()
        let message = PASETOv4Public.signingInput(
            payload: payload, footer: footer, implicitAssertion: Array(implicitAssertion.utf8))
        let signature = secretKey.signature(for: message)
        return PASETOv4Public.assemble(payload: payload, signature: signature, footer: footer)
    }

    /// Signs the claims and armors the token as `vupt-issuer` writes license files.
    func file(_ claims: LicenseClaims) -> [UInt8] {
        let text = ArmoredFile.armor(
            token: token(claims), kind: .license, informationalLines: ["Serial: \(claims.serial)"])
        return Array(text.utf8)
    }

    func verified(_ claims: LicenseClaims) throws -> VerifiedLicense {
        try ArtifactVerifier.verifyLicense(token: token(claims), trustedKeys: trustedKeys)
    }
}

/// Claims and instants for tests, written as RFC 3339 text so that a table reads like
/// the rules in docs/VERIFICATION.md.
enum TestLicenses {
    /// Parses `YYYY-MM-DDTHH:MM:SSZ`. A typing error in a test stops the test run.
    static func time(_ text: String) -> Timestamp {
        guard let instant = Timestamp(rfc3339UTC: text) else { fatalError("not RFC 3339 UTC: \(text)") }
        return instant
    }

    static func claims(
        issuedAt: Timestamp, notBefore: Timestamp? = nil, notAfter: Timestamp, graceDays: Int64 = 30,
        serial: String = "VUPT-00000042", installationID: String? = nil
    ) -> LicenseClaims {
        LicenseClaims(
            issuer: "vupt", customerID: "acme", serial: serial, issuedAt: issuedAt,
            notBefore: notBefore ?? issuedAt, notAfter: notAfter, customerName: "Acme Corp", tier: .business,
            features: ["desktop-app", "kanban"], seats: 25, gracePeriodDays: graceDays,
            subscriptionID: "SUB-0001", sequence: 1, supersedes: nil, installationID: installationID,
            ledgerIndex: 1)
    }
}

extension Timestamp {
    /// Shorthand for boundary tables: `exp.plus(1)`, `nbf.minus(300)`.
    func plus(_ seconds: Int64) -> Timestamp { adding(seconds: seconds) }
    func minus(_ seconds: Int64) -> Timestamp { adding(seconds: -seconds) }
}
