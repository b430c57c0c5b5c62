import VuptSodium

/// The origin of a trusted key, reported with every verdict.
public enum KeySource: Equatable, Sendable {
    /// Built into the binary from `keys/trusted/`.
    case compiledIn
    /// Given at run time, for example with `--public-key FILE` or `--trust DIR`.
    case file(path: String)

    public var label: String {
        switch self {
        case .compiledIn: return "compiled-in"
        case .file: return "command-line"
        }
    }
}

/// A public key that the verifier accepts signatures from.
public struct TrustedKey: Equatable, Sendable {
    public let name: String
    public let publicKey: Ed25519.PublicKey
    /// The PASERK `k4.pid` of the key, which license footers name in `kid`.
    public let keyID: String
    public let source: KeySource

    public init(name: String, publicKey: Ed25519.PublicKey, source: KeySource) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = PASERK.publicKeyID(publicKey)
        self.source = source
    }

    /// Reads a `k4.public` PASERK, ignoring surrounding white space.
    public init(name: String, paserk: String, source: KeySource) throws(PASERKError) {
        let text = String(Substring(paserk).trimmingWhitespaceAndNewlines())
        self.init(name: name, publicKey: try PASERK.decodePublic(text), source: source)
    }
}

/// The keys a verifier trusts, looked up by key id. A token never brings its own key.
public struct TrustedKeySet: Sendable {
    public private(set) var keys: [TrustedKey] = []

    public init(_ keys: [TrustedKey] = []) {
        for key in keys { add(key) }
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// Adds a key; a key already present under the same id is kept as it was.
    public mutating func add(_ key: TrustedKey) {
        if !keys.contains(where: { $0.keyID == key.keyID }) { keys.append(key) }
    }

    public func key(forID keyID: String) -> TrustedKey? {
        keys.first { $0.keyID == keyID }
    }
}

extension StringProtocol {
    /// Returns the text without leading and trailing white space and line breaks.
    public func trimmingWhitespaceAndNewlines() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return self[endIndex...] }
        return self[first...last]
    }
}
