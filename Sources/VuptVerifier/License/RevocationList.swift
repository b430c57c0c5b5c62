/// A signed list of revoked license serials. Lists are numbered; a customer installs a
/// list only when its number is higher than the installed one.
public struct RevocationList: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var serial: String
        public var reason: String
        public var revokedAt: Timestamp

        public init(serial: String, reason: String, revokedAt: Timestamp) {
            self.serial = serial
            self.reason = reason
            self.revokedAt = revokedAt
        }
    }

    public var issuer: String
    /// Increases by one with every list the vendor mints.
    public var number: Int64
    public var issuedAt: Timestamp
    public var entries: [Entry]

    public static let maximumEntries = 10_000

    public init(issuer: String, number: Int64, issuedAt: Timestamp, entries: [Entry]) {
        self.issuer = issuer
        self.number = number
        self.issuedAt = issuedAt
        self.entries = entries
    }

    /// Revocation reasons by serial, as `VerificationOptions.revokedSerials` takes them.
    public var reasonsBySerial: [String: String] {
        Dictionary(entries.map { ($0.serial, $0.reason) }, uniquingKeysWith: { first, _ in first })
    }

    public func payloadJSON() -> [UInt8] {
        JSONValue.object([
            ("iss", .string(issuer)),
            ("number", .integer(number)),
            ("iat", .string(issuedAt.rfc3339)),
            ("revoked", .array(entries.map { entry in
                .object([
                    ("serial", .string(entry.serial)),
                    ("reason", .string(entry.reason)),
                    ("revokedAt", .string(entry.revokedAt.rfc3339)),
                ])
            })),
        ]).serialized()
    }

    /// Decodes verified payload bytes. Call this only after the signature has verified.
    public init(payloadJSON bytes: [UInt8]) throws(ArtifactError) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes, maximumDepth: 4)
        } catch .duplicateKey(let name) {
            throw .duplicateKey(name)
        } catch {
            throw .invalidEncoding("the revocation list is not valid JSON (\(error))")
        }
        guard case .string(let issuer)? = root["iss"], !issuer.isEmpty else { throw .missingClaim("iss") }
        guard case .number(let numberText)? = root["number"], let number = Int64(numberText), number >= 1 else {
            throw .invalidClaim(name: "number", reason: "must be a positive integer")
        }
        guard case .string(let issuedText)? = root["iat"], let issuedAt = Timestamp(rfc3339UTC: issuedText) else {
            throw root["iat"] == nil ? .missingClaim("iat") : .invalidClaim(name: "iat", reason: "not RFC 3339 UTC")
        }
        guard case .array(let items)? = root["revoked"] else { throw .missingClaim("revoked") }
        guard items.count <= RevocationList.maximumEntries else {
            throw .invalidClaim(name: "revoked", reason: "more than \(RevocationList.maximumEntries) entries")
        }
        var entries: [Entry] = []
        for item in items {
            guard case .string(let serial)? = item["serial"], !serial.isEmpty,
                case .string(let reason)? = item["reason"],
                case .string(let revokedText)? = item["revokedAt"],
                let revokedAt = Timestamp(rfc3339UTC: revokedText)
            else { throw .invalidClaim(name: "revoked", reason: "each entry needs serial, reason and revokedAt") }
            entries.append(Entry(serial: serial, reason: reason, revokedAt: revokedAt))
        }
        self.init(issuer: issuer, number: number, issuedAt: issuedAt, entries: entries)
    }
}

/// A revocation list whose signature verified with a trusted key.
public struct VerifiedRevocationList: Sendable {
    public let token: String
    public let list: RevocationList
    public let key: TrustedKey
}

extension ArtifactVerifier {
    public static func verifyRevocationList(
        token: String, trustedKeys: TrustedKeySet
    ) throws(ArtifactError) -> VerifiedRevocationList {
        let (payload, key) = try verify(token: token, kind: .revocationList, trustedKeys: trustedKeys)
        return VerifiedRevocationList(token: token, list: try RevocationList(payloadJSON: payload), key: key)
    }
}
