import Foundation
import Testing
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// C2SP signed notes against the specification's example, the verification rules for
/// unknown, failing and excess signatures, and the checkpoint text rules.
@Suite struct SignedNoteVectorTests {
    /// The "Verifier keys" example of the C2SP signed-note specification: a verifier key,
    /// a note it signed, and the note text.
    struct Example: Decodable {
        let vkey: String
        let signedNote: String
        let noteText: String
        let expect: String

        enum CodingKeys: String, CodingKey {
            case vkey, expect
            case signedNote = "signed_note"
            case noteText = "note_text"
        }

        static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> Example? {
            guard let data = TestSupport.sharedFile("vectors/c2sp/signed-note-example.json", sourceLocation: sourceLocation)
            else { return nil }
            return try JSONDecoder().decode(Example.self, from: data)
        }

        func trustedKeys() throws -> TrustedKeySet {
            let verifier = try SignedNote.parseVerifierKey(vkey)
            return TrustedKeySet([TrustedKey(name: verifier.name, publicKey: verifier.publicKey, source: .compiledIn)])
        }
    }

    /// Signs `text` with `key` under the key name `name`.
    static func sign(_ text: String, name: String, key: Ed25519.SecretKey) -> SignedNote.Signature {
        SignedNote.Signature(
            keyName: name, keyID: SignedNote.keyID(name: name, publicKey: key.publicKey),
            signature: key.signature(for: Array(text.utf8)))
    }

    static func trusting(_ key: Ed25519.SecretKey) -> TrustedKeySet {
        TrustedKeySet([TrustedKey(name: "log", publicKey: key.publicKey, source: .compiledIn)])
    }

    static let root32 = Base64Standard.encode([UInt8](repeating: 0xAB, count: 32))

    // MARK: The specification's example

    @Test func exampleExpectsVerification() throws {
        guard let example = try Example.load() else { return }
        #expect(example.expect == "verifies")
    }

    @Test func exampleVerifierKeyParses() throws {
        guard let example = try Example.load() else { return }
        let verifier = try SignedNote.parseVerifierKey(example.vkey)
        #expect(verifier.name == "example.com/foo")
        #expect(verifier.keyID == 0x530d_903a)
        #expect(SignedNote.keyID(name: verifier.name, publicKey: verifier.publicKey) == 0x530d_903a)
    }

    @Test func exampleNoteParses() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        #expect(note.text == example.noteText)
        #expect(note.signatures.count == 1)
        #expect(note.signatures.first?.keyName == "example.com/foo")
        #expect(note.signatures.first?.keyID == 0x530d_903a)
        #expect(note.signatures.first?.signature.count == Ed25519.signatureLength)
    }

    @Test func exampleNoteRoundTrips() throws {
        guard let example = try Example.load() else { return }
        #expect(try SignedNote(parsing: example.signedNote).serialized == example.signedNote)
    }

    @Test func exampleNoteVerifies() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        let verified = try note.verify(trustedKeys: try example.trustedKeys())
        #expect(verified.keyName == "example.com/foo")
    }

    @Test func flippedSignatureByteFails() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        let original = try #require(note.signatures.first)
        for position in [0, 31, 63] {
            var bytes = original.signature
            bytes[position] ^= 0x01
            let flipped = SignedNote(
                text: note.text,
                signatures: [.init(keyName: original.keyName, keyID: original.keyID, signature: bytes)])
            let reparsed = try SignedNote(parsing: flipped.serialized)
            #expect(throws: NoteError.signatureInvalid(keyName: "example.com/foo"), "byte \(position)") {
                try reparsed.verify(trustedKeys: try example.trustedKeys())
            }
        }
    }

    @Test func editedTextFails() throws {
        guard let example = try Example.load() else { return }
        let edited = example.signedNote.replacingOccurrences(of: "example message", with: "examplE message")
        let note = try SignedNote(parsing: edited)
        #expect(throws: NoteError.signatureInvalid(keyName: "example.com/foo")) {
            try note.verify(trustedKeys: try example.trustedKeys())
        }
    }

    @Test func unknownKeyIsIgnored() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        let stranger = try Ed25519.SecretKey.generate()
        #expect(throws: NoteError.noTrustedSignature) {
            try note.verify(trustedKeys: Self.trusting(stranger))
        }
    }

    @Test func unknownSignatureBesideTrustedOne() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        let stranger = try Ed25519.SecretKey.generate()
        let cosigned = SignedNote(
            text: note.text,
            signatures: [Self.sign(note.text, name: "witness.example/w1", key: stranger)] + note.signatures)
        let reparsed = try SignedNote(parsing: cosigned.serialized)
        #expect(reparsed.signatures.count == 2)
        #expect(try reparsed.verify(trustedKeys: try example.trustedKeys()).keyName == "example.com/foo")
    }

    @Test func sameKeyUnderOtherNameIgnored() throws {
        guard let example = try Example.load() else { return }
        let note = try SignedNote(parsing: example.signedNote)
        let original = try #require(note.signatures.first)
        // The key ID covers the name, so the signature no longer matches the trusted key.
        let renamed = SignedNote(
            text: note.text,
            signatures: [.init(keyName: "example.com/bar", keyID: original.keyID, signature: original.signature)])
        #expect(throws: NoteError.noTrustedSignature) {
            try SignedNote(parsing: renamed.serialized).verify(trustedKeys: try example.trustedKeys())
        }
    }

    // MARK: Parsing limits

    @Test func sixteenSignaturesAccepted() throws {
        let key = try Ed25519.SecretKey.generate()
        let text = "log.example/a\n1\n\(Self.root32)\n"
        let signatures = (1...16).map { Self.sign(text, name: "witness\($0)", key: key) }
        let note = try SignedNote(parsing: SignedNote(text: text, signatures: signatures).serialized)
        #expect(note.signatures.count == 16)
    }

    @Test func seventeenSignaturesRefused() throws {
        let key = try Ed25519.SecretKey.generate()
        let text = "log.example/a\n1\n\(Self.root32)\n"
        let signatures = (1...17).map { Self.sign(text, name: "witness\($0)", key: key) }
        let serialized = SignedNote(text: text, signatures: signatures).serialized
        #expect(throws: NoteError.tooManySignatures(limit: 16)) {
            try SignedNote(parsing: serialized)
        }
    }

    @Test func noteWithoutSignatureRefused() {
        #expect(throws: NoteError.self) { try SignedNote(parsing: "text\n\n") }
    }

    @Test func noteWithoutBlankLineRefused() {
        #expect(throws: NoteError.self) { try SignedNote(parsing: "text\n\u{2014} name AAAAAAA=\n") }
    }

    @Test func noteOverSizeLimitRefused() {
        let text = String(repeating: "a", count: SignedNote.maximumSize) + "\n\n\u{2014} name AAAAAAA=\n"
        #expect(throws: NoteError.tooLarge(limit: SignedNote.maximumSize)) { try SignedNote(parsing: text) }
    }

    @Test func verifierKeyWithWrongIDRefused() throws {
        guard let example = try Example.load() else { return }
        let wrongID = example.vkey.replacingOccurrences(of: "+530d903a+", with: "+530d903b+")
        #expect(throws: NoteError.self) { try SignedNote.parseVerifierKey(wrongID) }
    }

    // MARK: Checkpoint text

    @Test func checkpointParsesThreeLines() throws {
        let checkpoint = try Checkpoint(noteText: "log.example/a\n42\n\(Self.root32)\n")
        #expect(checkpoint.origin == "log.example/a")
        #expect(checkpoint.treeSize == 42)
        #expect(checkpoint.rootHash == [UInt8](repeating: 0xAB, count: 32))
        #expect(checkpoint.noteText == "log.example/a\n42\n\(Self.root32)\n")
    }

    @Test func checkpointSizeZeroParses() throws {
        #expect(try Checkpoint(noteText: "log.example/a\n0\n\(Self.root32)\n").treeSize == 0)
    }

    @Test func checkpointRejectsMalformedText() {
        let root31 = Base64Standard.encode([UInt8](repeating: 1, count: 31))
        let root33 = Base64Standard.encode([UInt8](repeating: 1, count: 33))
        let cases: [(name: String, text: String)] = [
            ("two lines", "log.example/a\n42\n"),
            ("extension line", "log.example/a\n42\n\(Self.root32)\nextension line\n"),
            ("no final newline", "log.example/a\n42\n\(Self.root32)"),
            ("leading zero", "log.example/a\n042\n\(Self.root32)\n"),
            ("plus sign", "log.example/a\n+42\n\(Self.root32)\n"),
            ("negative size", "log.example/a\n-1\n\(Self.root32)\n"),
            ("empty size", "log.example/a\n\n\(Self.root32)\n"),
            ("size with space", "log.example/a\n 42\n\(Self.root32)\n"),
            ("size over 64 bits", "log.example/a\n18446744073709551616\n\(Self.root32)\n"),
            ("31-byte root", "log.example/a\n42\n\(root31)\n"),
            ("33-byte root", "log.example/a\n42\n\(root33)\n"),
            ("root not base64", "log.example/a\n42\nnot base64!\n"),
            ("empty origin", "\n42\n\(Self.root32)\n"),
            ("origin with space", "log example\n42\n\(Self.root32)\n"),
            ("origin with plus", "log+example\n42\n\(Self.root32)\n"),
        ]
        for (name, text) in cases {
            #expect(throws: NoteError.self, "\(name)") { try Checkpoint(noteText: text) }
        }
    }

    @Test func signedCheckpointVerifies() throws {
        let key = try Ed25519.SecretKey.generate()
        let text = "log.example/a\n7\n\(Self.root32)\n"
        let note = SignedNote(text: text, signatures: [Self.sign(text, name: "log.example/a", key: key)]).serialized
        let verified = try Checkpoint.verify(signedNote: note, trustedKeys: Self.trusting(key))
        #expect(verified.checkpoint.treeSize == 7)
        #expect(verified.checkpoint.origin == "log.example/a")
    }

    @Test func checkpointKeyNameMustBeOrigin() throws {
        let key = try Ed25519.SecretKey.generate()
        let text = "log.example/a\n7\n\(Self.root32)\n"
        let note = SignedNote(text: text, signatures: [Self.sign(text, name: "log.example/b", key: key)]).serialized
        #expect(throws: NoteError.self) { try Checkpoint.verify(signedNote: note, trustedKeys: Self.trusting(key)) }
    }

    @Test func checkpointWithExtensionRefused() throws {
        let key = try Ed25519.SecretKey.generate()
        // Correctly signed, but the extension line carries meaning a verifier would not check.
        let text = "log.example/a\n7\n\(Self.root32)\nunchecked extension\n"
        let note = SignedNote(text: text, signatures: [Self.sign(text, name: "log.example/a", key: key)]).serialized
        #expect(throws: NoteError.self) { try Checkpoint.verify(signedNote: note, trustedKeys: Self.trusting(key)) }
    }
}

@Test func verifierKeyRoundTrips() throws {
    guard let data = TestSupport.sharedFile("vectors/c2sp/signed-note-example.json") else { return }
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let vkey = try #require(object["vkey"] as? String)
    let parsed = try SignedNote.parseVerifierKey(vkey)
    #expect(SignedNote.verifierKey(name: parsed.name, publicKey: parsed.publicKey) == vkey)
}
