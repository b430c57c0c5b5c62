import Foundation
import Testing
import VuptSodium
import VuptTestSupport

/// One case of `v4.json`. Local-purpose cases have no key pair, and failure cases have
/// no payload.
struct PASETOVector: Decodable {
    let name: String
    let expectFail: Bool
    let publicKey: String?
    let secretKeySeed: String?
    let token: String
    let payload: String?
    let footer: String
    let implicitAssertion: String

    enum CodingKeys: String, CodingKey {
        case name, token, payload, footer
        case expectFail = "expect-fail"
        case publicKey = "public-key"
        case secretKeySeed = "secret-key-seed"
        case implicitAssertion = "implicit-assertion"
    }
}

/// One case of `k4.public.json` or `k4.pid.json`: a raw key in hex and its PASERK, which
/// is null for the cases that must fail.
struct PublicPASERKVector: Decodable {
    let name: String
    let expectFail: Bool
    let key: String
    let paserk: String?

    enum CodingKeys: String, CodingKey {
        case name, key, paserk
        case expectFail = "expect-fail"
    }
}

/// Builds an Ed25519 key pair from a hex seed.
func secretKey(seedHex: String) throws -> Ed25519.SecretKey {
    var seed = TestSupport.bytes(hex: seedHex)
    return try Ed25519.SecretKey(seed: SecureBytes(consuming: &seed))
}
