import Foundation
import Testing
import VuptSodium
import VuptTestSupport

/// One case of `k4.secret.json` or `k4.sid.json`: the 64-byte secret key in hex (shorter
/// or longer in the cases that must fail) and its PASERK, null for those cases.
struct SecretPASERKVector: Decodable {
    let name: String
    let expectFail: Bool
    let key: String
    let publicKey: String?
    let paserk: String?

    enum CodingKeys: String, CodingKey {
        case name, key, paserk
        case expectFail = "expect-fail"
        case publicKey = "public-key"
    }
}

/// One case of `k4.secret-pw.json`.
struct PasswordWrapVector: Decodable {
    struct Options: Decodable {
        let memlimit: Int
        let opslimit: Int
    }

    let name: String
    let expectFail: Bool
    /// The 64-byte secret key in hex, or null where the PASERK is of another version.
    let unwrapped: String?
    /// The password as UTF-8 text. Some cases hold text that looks like hex
    /// ("636f7272…"), but their tags verify only when those characters themselves are
    /// the password, not the bytes they spell.
    let password: String
    let options: Options
    let paserk: String

    enum CodingKeys: String, CodingKey {
        case name, unwrapped, password, options, paserk
        case expectFail = "expect-fail"
    }

    var passwordBytes: [UInt8] { Array(password.utf8) }
}

/// Copies bytes into guarded memory for the libsodium wrappers.
func secureBytes(_ bytes: [UInt8]) throws -> SecureBytes {
    var copy = bytes
    return try SecureBytes(consuming: &copy)
}

func secureBytes(_ text: String) throws -> SecureBytes {
    try secureBytes(Array(text.utf8))
}

/// Builds an Ed25519 key pair from a hex seed.
func secretKey(seedHex: String) throws -> Ed25519.SecretKey {
    try Ed25519.SecretKey(seed: secureBytes(TestSupport.bytes(hex: seedHex)))
}

extension Ed25519.SecretKey {
    /// The 64 secret-key bytes in hex, for comparison with vectors.
    var hex: String { secureBytes.withUnsafeBytes { TestSupport.hex(Array($0)) } }
}
