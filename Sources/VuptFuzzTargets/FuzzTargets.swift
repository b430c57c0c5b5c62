import VuptSodium
import VuptVerifier

/// Parsers exposed to libFuzzer, one per name. Each takes arbitrary bytes and must
/// return or throw; a crash, hang or sanitizer report is a bug.
public enum FuzzTargets {
    public static let names = [
        "armored-file", "token", "claims", "paserk", "revocation-list", "signed-note", "inclusion-proof",
    ]

    /// A fixed key, so that signed inputs in the corpus verify and the fuzzer reaches the
    /// code behind the signature check. It is the public half of the test key pair.
    static let trustedKeys: TrustedKeySet = {
        let key = try! TrustedKey(
            name: "vupt-test.pub", paserk: "k4.public.BrRVEWx39976bVQ7ucJm-_c7YMakv6aXUlAS-2fLjsI", source: .compiledIn)
        return TrustedKeySet([key])
    }()

    /// Runs the parser `name` on `bytes`. Returns false for an unknown name.
    @discardableResult
    public static func run(_ name: String, _ bytes: [UInt8]) -> Bool {
        switch name {
        case "armored-file":
            if let blocks = try? ArmoredFile.blocks(in: bytes) {
                for block in blocks { _ = try? ArtifactVerifier.verifyLicense(token: block.token, trustedKeys: trustedKeys) }
            }
            _ = LicenseVerifier.verify(licenseBytes: bytes, trustedKeys: trustedKeys, time: .fixed(Timestamp(secondsSince1970: 0)))
        case "token":
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? PASETOv4Public.parse(text)
            _ = try? ArtifactVerifier.verifyLicense(token: text, trustedKeys: trustedKeys)
            _ = PASETOv4Public.preAuthenticationEncoding(bytes.split(separator: 0).map(Array.init))
        case "claims":
            if let claims = try? LicenseClaims(payloadJSON: bytes) {
                // A decoded payload must encode to bytes that decode to the same claims.
                precondition((try? LicenseClaims(payloadJSON: claims.payloadJSON())) == claims, "claims round trip")
            }
            _ = try? JSONValue.parse(bytes)
        case "paserk":
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? PASERK.decodePublic(text)
            _ = try? TrustedKey(name: "fuzz", paserk: text, source: .compiledIn)
        case "revocation-list":
            _ = try? RevocationList(payloadJSON: bytes)
            _ = try? ArtifactVerifier.verifyRevocationList(token: String(decoding: bytes, as: UTF8.self), trustedKeys: trustedKeys)
        case "signed-note":
            let text = String(decoding: bytes, as: UTF8.self)
            if let note = try? SignedNote(parsing: text) {
                _ = try? note.verify(trustedKeys: trustedKeys)
                _ = try? Checkpoint(noteText: note.text)
            }
            _ = try? Checkpoint.verify(signedNote: text, trustedKeys: trustedKeys)
            _ = try? SignedNote.parseVerifierKey(text)
        case "inclusion-proof":
            _ = try? InclusionProof(json: bytes)
            _ = try? ConsistencyProof(json: bytes)
        default:
            return false
        }
        return true
    }
}
