import VuptSodium

/// Errors parsing or verifying a C2SP signed note or tlog checkpoint.
public enum NoteError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case tooLarge(limit: Int)
    case tooManySignatures(limit: Int)
    /// No signature from a trusted key.
    case noTrustedSignature
    /// A signature from a trusted key failed to verify.
    case signatureInvalid(keyName: String)
    case invalidCheckpoint(String)

    public var description: String {
        switch self {
        case .malformed(let detail): return "malformed signed note: \(detail)"
        case .tooLarge(let limit): return "signed note is over the \(limit)-byte limit"
        case .tooManySignatures(let limit): return "signed note has more than \(limit) signatures"
        case .noTrustedSignature: return "signed note has no signature from a trusted key"
        case .signatureInvalid(let name): return "signature invalid on signed note by \(name)"
        case .invalidCheckpoint(let detail): return "invalid checkpoint: \(detail)"
        }
    }
}

/// A C2SP signed note: text ending in a newline, a blank line, then signature lines
/// `— <key name> <base64(4-byte key ID || signature)>`. Vupt signs notes with Ed25519
/// over the note text, so their signed bytes can never be PASETO PAE bytes.
public struct SignedNote: Equatable, Sendable {
    public struct Signature: Equatable, Sendable {
        public let keyName: String
        public let keyID: UInt32
        public let signature: [UInt8]

        public init(keyName: String, keyID: UInt32, signature: [UInt8]) {
            self.keyName = keyName
            self.keyID = keyID
            self.signature = signature
        }
    }

    /// The note text, including its final newline.
    public let text: String
    public let signatures: [Signature]

    public static let maximumSize = 16 * 1024
    /// The signed-note specification requires accepting at least 16.
    public static let maximumSignatures = 16
    static let signaturePrefix = "\u{2014} "

    /// Returns the key ID for an Ed25519 key: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
    public static func keyID(name: String, publicKey: Ed25519.PublicKey) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey.rawRepresentation)
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note's text form.
    public init(parsing note: String) throws(NoteError) {
        let bytes = Array(note.utf8)
        guard bytes.count <= SignedNote.maximumSize else { throw .tooLarge(limit: SignedNote.maximumSize) }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw .malformed("control characters other than newline")
        }
        guard note.hasSuffix("\n") else { throw .malformed("it does not end with a newline") }
        // The text is separated from the signatures by the last blank line.
        guard let separator = (0..<(bytes.count - 1)).last(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A })
        else { throw .malformed("no blank line before the signatures") }
        let text = String(decoding: bytes[...separator], as: UTF8.self)
        let signatureBlock = String(decoding: bytes[(separator + 2)...], as: UTF8.self)
        var signatures: [Signature] = []
        for line in signatureBlock.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard line.hasPrefix(SignedNote.signaturePrefix) else {
                throw .malformed("a signature line must start with an em dash and a space")
            }
            let parts = line.dropFirst(SignedNote.signaturePrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains("+") else {
                throw .malformed("a signature line must be '— <key name> <base64 signature>'")
            }
            let decoded: [UInt8]
            do {
                decoded = try Base64Standard.decode(String(parts[1]))
            } catch {
                throw .malformed("signature of \(parts[0]) is not base64")
            }
            guard decoded.count >= 5 else { throw .malformed("signature of \(parts[0]) is too short") }
            signatures.append(Signature(
                keyName: String(parts[0]), keyID: decoded.prefix(4).reduce(0) { $0 << 8 | UInt32($1) },
                signature: Array(decoded.dropFirst(4))))
            guard signatures.count <= SignedNote.maximumSignatures else {
                throw .tooManySignatures(limit: SignedNote.maximumSignatures)
            }
        }
        guard !signatures.isEmpty else { throw .malformed("no signature lines") }
        self.init(text: text, signatures: signatures)
    }

    /// The text form: note text, blank line, signature lines.
    public var serialized: String {
        var result = text + "\n"
        for signature in signatures {
            var keyIDBytes: [UInt8] = []
            for shift in stride(from: 24, through: 0, by: -8) { keyIDBytes.append(UInt8(truncatingIfNeeded: signature.keyID >> UInt32(shift))) }
            result += SignedNote.signaturePrefix + signature.keyName + " "
                + Base64Standard.encode(keyIDBytes + signature.signature) + "\n"
        }
        return result
    }

    /// Verifies the note as the signed-note specification requires. Signatures whose
    /// (name, key ID) match no trusted key are ignored, a matching one that fails rejects
    /// the note, and at least one must verify. Returns the key that verified and the name
    /// it signed under.
    public func verify(trustedKeys: TrustedKeySet) throws(NoteError) -> (key: TrustedKey, keyName: String) {
        var verified: (key: TrustedKey, keyName: String)?
        let message = Array(text.utf8)
        for signature in signatures {
            for key in trustedKeys.keys
            where SignedNote.keyID(name: signature.keyName, publicKey: key.publicKey) == signature.keyID {
                guard key.publicKey.isValidSignature(signature.signature, for: message) else {
                    throw .signatureInvalid(keyName: signature.keyName)
                }
                if verified == nil { verified = (key, signature.keyName) }
            }
        }
        guard let verified else { throw .noTrustedSignature }
        return verified
    }

    /// Returns the verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>` that
    /// other signed-note implementations, such as Go's sumdb note package, take.
    public static func verifierKey(name: String, publicKey: Ed25519.PublicKey) -> String {
        let id = keyID(name: name, publicKey: publicKey)
        let digits = Array("0123456789abcdef")
        let hex = String((0..<8).reversed().map { digits[Int((id >> UInt32($0 * 4)) & 0xF)] })
        return "\(name)+\(hex)+" + Base64Standard.encode([0x01] + publicKey.rawRepresentation)
    }

    /// Parses a verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>`.
    public static func parseVerifierKey(_ vkey: String) throws(NoteError) -> (name: String, keyID: UInt32, publicKey: Ed25519.PublicKey) {
        let parts = vkey.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].count == 8, let keyID = UInt32(parts[1], radix: 16),
            let material = try? Base64Standard.decode(String(parts[2])), material.count == 33, material[0] == 0x01,
            let key = try? Ed25519.PublicKey(rawRepresentation: Array(material.dropFirst()))
        else { throw .malformed("not an Ed25519 verifier key '<name>+<hex id>+<base64 key>'") }
        guard keyID == SignedNote.keyID(name: String(parts[0]), publicKey: key) else {
            throw .malformed("the verifier key's id does not match its name and key")
        }
        return (String(parts[0]), keyID, key)
    }
}

/// A C2SP tlog checkpoint: origin, tree size and base64 root hash, one per line.
public struct Checkpoint: Equatable, Sendable {
    public let origin: String
    public let treeSize: UInt64
    public let rootHash: [UInt8]

    public init(origin: String, treeSize: UInt64, rootHash: [UInt8]) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
    }

    /// The note text, ending in a newline.
    public var noteText: String {
        "\(origin)\n\(treeSize)\n\(Base64Standard.encode(rootHash))\n"
    }

    /// Parses the note text of a checkpoint. Extension lines are refused: Vupt writes
    /// none, and unsigned meaning must not slip in.
    public init(noteText: String) throws(NoteError) {
        let lines = noteText.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[3].isEmpty else {
            throw .invalidCheckpoint("expected exactly three lines: origin, tree size, root hash")
        }
        guard !lines[0].isEmpty, !lines[0].contains(" "), !lines[0].contains("+") else {
            throw .invalidCheckpoint("the origin must be non-empty, without spaces or '+'")
        }
        guard let size = UInt64(lines[1]), String(size) == lines[1] else {
            throw .invalidCheckpoint("tree size '\(lines[1])' is not a decimal number without leading zeros")
        }
        guard let root = try? Base64Standard.decode(String(lines[2])), root.count == MerkleTree.hashLength else {
            throw .invalidCheckpoint("root hash is not 32 bytes of base64")
        }
        self.init(origin: String(lines[0]), treeSize: size, rootHash: root)
    }

    /// Parses and verifies a signed checkpoint; the key name must equal the origin.
    public static func verify(signedNote text: String, trustedKeys: TrustedKeySet) throws(NoteError) -> (checkpoint: Checkpoint, key: TrustedKey) {
        let note = try SignedNote(parsing: text)
        let (key, name) = try note.verify(trustedKeys: trustedKeys)
        let checkpoint = try Checkpoint(noteText: note.text)
        guard name == checkpoint.origin else {
            throw .invalidCheckpoint("signed by key name '\(name)', but the origin is '\(checkpoint.origin)'")
        }
        return (checkpoint, key)
    }
}
