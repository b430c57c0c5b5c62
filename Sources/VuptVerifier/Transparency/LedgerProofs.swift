import VuptSodium

/// Errors reading or checking a ledger proof.
public enum ProofError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case checkpoint(NoteError)
    /// The proof does not connect the entry or old tree to the checkpoint's root.
    case doesNotVerify(String)
    /// The proof is for another license or entry.
    case mismatch(String)

    public var description: String {
        switch self {
        case .malformed(let detail): return "malformed proof: \(detail)"
        case .checkpoint(let error): return "proof checkpoint: \(error)"
        case .doesNotVerify(let detail): return "proof does not verify: \(detail)"
        case .mismatch(let detail): return "proof mismatch: \(detail)"
        }
    }
}

extension ProofError {
    /// Decodes a JSON array of base64 SHA-256 hashes, at most `maximum` of them.
    static func decodeHashes(_ value: JSONValue?, maximum: Int) throws(ProofError) -> [[UInt8]] {
        guard case .array(let items)? = value, items.count <= maximum else {
            throw .malformed("hashes must be an array of at most \(maximum)")
        }
        var hashes: [[UInt8]] = []
        for item in items {
            guard case .string(let text) = item, let hash = try? Base64Standard.decode(text),
                hash.count == MerkleTree.hashLength
            else { throw .malformed("every hash must be 32 bytes of base64") }
            hashes.append(hash)
        }
        return hashes
    }
}

/// An RFC 6962 inclusion proof of one ledger entry, with the signed checkpoint whose
/// root it leads to and the entry bytes that form the leaf.
public struct InclusionProof: Equatable, Sendable {
    public static let format = "vupt-inclusion-proof/v1"
    /// A tree of 2^63 leaves needs 63 hashes.
    public static let maximumHashes = 63
    public static let maximumSize = 64 * 1024

    public let leafIndex: UInt64
    public let treeSize: UInt64
    public let entryBytes: [UInt8]
    public let hashes: [[UInt8]]
    public let signedCheckpoint: String

    public init(leafIndex: UInt64, treeSize: UInt64, entryBytes: [UInt8], hashes: [[UInt8]], signedCheckpoint: String) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.entryBytes = entryBytes
        self.hashes = hashes
        self.signedCheckpoint = signedCheckpoint
    }

    public func json() -> JSONValue {
        .object([
            ("format", .string(InclusionProof.format)),
            ("leafIndex", .number(String(leafIndex))),
            ("treeSize", .number(String(treeSize))),
            ("entry", .string(Base64Standard.encode(entryBytes))),
            ("hashes", .array(hashes.map { .string(Base64Standard.encode($0)) })),
            ("checkpoint", .string(signedCheckpoint)),
        ])
    }

    public init(json bytes: [UInt8]) throws(ProofError) {
        guard bytes.count <= InclusionProof.maximumSize else {
            throw .malformed("over the \(InclusionProof.maximumSize)-byte limit")
        }
        guard let root = try? JSONValue.parse(bytes, maximumDepth: 3) else { throw .malformed("not JSON") }
        guard case .string(InclusionProof.format)? = root["format"] else {
            throw .malformed("format is not \(InclusionProof.format)")
        }
        guard case .number(let indexText)? = root["leafIndex"], let index = UInt64(indexText),
            case .number(let sizeText)? = root["treeSize"], let size = UInt64(sizeText), index < size
        else { throw .malformed("leafIndex and treeSize must be integers with leafIndex < treeSize") }
        guard case .string(let entryText)? = root["entry"], let entry = try? Base64Standard.decode(entryText) else {
            throw .malformed("entry is not base64")
        }
        let hashes = try ProofError.decodeHashes(root["hashes"], maximum: InclusionProof.maximumHashes)
        guard case .string(let checkpoint)? = root["checkpoint"] else { throw .malformed("checkpoint is missing") }
        self.init(leafIndex: index, treeSize: size, entryBytes: entry, hashes: hashes, signedCheckpoint: checkpoint)
    }

    /// Checks that `license` was recorded in the vendor's ledger: the checkpoint is signed
    /// by a trusted key, the entry holds exactly this license's token at the index the
    /// license names, and the hashes lead from that entry to the checkpoint's root.
    public func verify(license: VerifiedLicense, trustedKeys: TrustedKeySet) throws(ProofError) -> Checkpoint {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(signedNote: signedCheckpoint, trustedKeys: trustedKeys).checkpoint
        } catch {
            throw .checkpoint(error)
        }
        guard checkpoint.treeSize == treeSize else {
            throw .mismatch("the proof is for tree size \(treeSize), the checkpoint for \(checkpoint.treeSize)")
        }
        guard leafIndex == UInt64(license.claims.ledgerIndex) else {
            throw .mismatch("the proof is for entry \(leafIndex), the license names entry \(license.claims.ledgerIndex)")
        }
        guard let entry = try? JSONValue.parse(entryBytes), case .string(let token)? = entry["token"],
            token == license.token, case .number(String(leafIndex))? = entry["index"]
        else { throw .mismatch("the proof's entry does not hold this license's token at index \(leafIndex)") }
        guard MerkleTree.verifyInclusion(
            leafHash: MerkleTree.leafHash(entryBytes), index: leafIndex, treeSize: treeSize, proof: hashes,
            root: checkpoint.rootHash)
        else { throw .doesNotVerify("the hashes do not lead from entry \(leafIndex) to the checkpoint's root") }
        return checkpoint
    }
}

/// An RFC 6962 consistency proof between an old checkpoint and a newer one.
public struct ConsistencyProof: Equatable, Sendable {
    public static let format = "vupt-consistency-proof/v1"

    public let oldSize: UInt64
    public let newSize: UInt64
    public let hashes: [[UInt8]]
    /// The newer checkpoint, signed.
    public let signedCheckpoint: String

    public init(oldSize: UInt64, newSize: UInt64, hashes: [[UInt8]], signedCheckpoint: String) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
        self.signedCheckpoint = signedCheckpoint
    }

    public func json() -> JSONValue {
        .object([
            ("format", .string(ConsistencyProof.format)),
            ("oldSize", .number(String(oldSize))),
            ("newSize", .number(String(newSize))),
            ("hashes", .array(hashes.map { .string(Base64Standard.encode($0)) })),
            ("checkpoint", .string(signedCheckpoint)),
        ])
    }

    public init(json bytes: [UInt8]) throws(ProofError) {
        guard bytes.count <= InclusionProof.maximumSize, let root = try? JSONValue.parse(bytes, maximumDepth: 3),
            case .string(ConsistencyProof.format)? = root["format"]
        else { throw .malformed("not a \(ConsistencyProof.format) JSON object") }
        guard case .number(let oldText)? = root["oldSize"], let oldSize = UInt64(oldText),
            case .number(let newText)? = root["newSize"], let newSize = UInt64(newText), oldSize <= newSize
        else { throw .malformed("oldSize and newSize must be integers with oldSize <= newSize") }
        // A consistency proof has at most two hashes per tree level.
        let hashes = try ProofError.decodeHashes(root["hashes"], maximum: 2 * InclusionProof.maximumHashes)
        guard case .string(let checkpoint)? = root["checkpoint"] else { throw .malformed("checkpoint is missing") }
        self.init(oldSize: oldSize, newSize: newSize, hashes: hashes, signedCheckpoint: checkpoint)
    }

    /// Checks that the newer checkpoint extends `old`: both signed by trusted keys, same
    /// origin, and the hashes prove the old tree is a prefix of the new one.
    public func verify(from old: String, trustedKeys: TrustedKeySet) throws(ProofError) -> (old: Checkpoint, new: Checkpoint) {
        let oldCheckpoint: Checkpoint
        let newCheckpoint: Checkpoint
        do {
            oldCheckpoint = try Checkpoint.verify(signedNote: old, trustedKeys: trustedKeys).checkpoint
            newCheckpoint = try Checkpoint.verify(signedNote: signedCheckpoint, trustedKeys: trustedKeys).checkpoint
        } catch {
            throw .checkpoint(error)
        }
        guard oldCheckpoint.origin == newCheckpoint.origin else {
            throw .mismatch("the checkpoints are from logs '\(oldCheckpoint.origin)' and '\(newCheckpoint.origin)'")
        }
        guard oldCheckpoint.treeSize == oldSize, newCheckpoint.treeSize == newSize else {
            throw .mismatch("the proof is for sizes \(oldSize) to \(newSize)")
        }
        guard MerkleTree.verifyConsistency(
            oldSize: oldSize, oldRoot: oldCheckpoint.rootHash, newSize: newSize, newRoot: newCheckpoint.rootHash,
            proof: hashes)
        else { throw .doesNotVerify("the tree at size \(newSize) does not extend the tree at size \(oldSize)") }
        return (oldCheckpoint, newCheckpoint)
    }
}
