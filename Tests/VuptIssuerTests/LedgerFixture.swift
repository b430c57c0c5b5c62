import Foundation
import Testing
import VuptIssuer
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// A fresh ledger file in its own temporary folder, with a signing key generated in
/// memory (no key file, no Argon2id). Call `remove()` when done.
struct LedgerFixture {
    let folder: URL
    let path: String
    let key: Ed25519.SecretKey

    /// 2026-01-15T09:00:00Z, the issuance time of every mint unless a test passes another.
    static let now = Timestamp(secondsSince1970: 1_768_467_600)

    init() throws {
        folder = try TestSupport.makeTemporaryDirectory("vupt-ledger")
        path = folder.appendingPathComponent(Ledger.defaultFileName).path
        key = try Ed25519.SecretKey.generate()
    }

    func remove() {
        TestSupport.removeTemporaryDirectory(folder)
    }

    func open() throws -> Ledger {
        try Ledger(path: path)
    }

    static func request(
        customerID: String = "acme-corp", seats: Int64 = 10, features: [String] = [], months: Int = 12,
        gracePeriodDays: Int64 = 30, notBefore: Timestamp? = nil
    ) -> LicenseRequest {
        LicenseRequest(
            customerID: customerID, customerName: "ACME Corp", tier: .business, seats: seats, features: features,
            months: months, gracePeriodDays: gracePeriodDays, notBefore: notBefore)
    }

    /// The trusted key set a customer would use for this fixture's key.
    var trustedKeys: TrustedKeySet {
        TrustedKeySet([TrustedKey(name: "vendor", publicKey: key.publicKey, source: .compiledIn)])
    }
}

/// Parses a claim-form time. A typing error in a test fails that test.
func time(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Timestamp {
    try #require(Timestamp(rfc3339UTC: text), "'\(text)' is not RFC 3339 UTC", sourceLocation: sourceLocation)
}
