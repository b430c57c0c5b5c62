import VuptSQLite
import VuptSodium
import VuptVerifier

extension Ledger {
    /// Returns the origin line of this ledger's checkpoints.
    public func origin() throws -> String {
        guard let origin = try database.query("SELECT value FROM ledger_info WHERE name = 'origin'").first?.text(0) else {
            throw LedgerError.notALedger(path: path, reason: "it has no origin")
        }
        return origin
    }

    /// Number of entries, which is the Merkle tree size.
    public func treeSize() throws -> UInt64 {
        // Indexes run from 0 without gaps, so the size is the highest index plus one, which
        // SQLite finds in the primary key without scanning the table.
        UInt64((try database.query("SELECT max(entry_index) FROM ledger_entries").first?.integer(0) ?? -1) + 1)
    }

    /// Stores the interior nodes that leaf `index` completes: one per level at which
    /// the leaf closes a full, aligned subtree. Each leaf adds one node on average.
    ///
    /// Within a transaction the left child of each new node is read from `recentNodes`,
    /// because it is the newest node of the level below.
    func storeCompletedNodes(afterLeaf index: Int64, leafHash: [UInt8]) throws {
        var completed = (position: index, hash: leafHash)
        var level: Int64 = 1
        let count = index + 1
        while count % (Int64(1) << level) == 0 {
            let position = count / (Int64(1) << level) - 1
            let left: [UInt8]
            if let recent = recentNodes[level - 1], recent.position == 2 * position {
                left = recent.hash
            } else {
                left = try storedNode(level: level - 1, position: 2 * position)
            }
            let hash = MerkleTree.nodeHash(left, completed.hash)
            try database.run(
                "INSERT INTO merkle_nodes (level, position, hash) VALUES (?, ?, ?)",
                [.integer(level), .integer(position), .blob(hash)])
            recentNodes[level - 1] = completed
            completed = (position, hash)
            level += 1
        }
        recentNodes[level - 1] = completed
    }

    /// Returns the hash of the complete subtree at (level, position). Level 0 is a leaf hash.
    func storedNode(level: Int64, position: Int64) throws -> [UInt8] {
        let rows = level == 0
            ? try database.query("SELECT leaf_hash FROM ledger_entries WHERE entry_index = ?", [.integer(position)])
            : try database.query(
                "SELECT hash FROM merkle_nodes WHERE level = ? AND position = ?", [.integer(level), .integer(position)])
        guard let hash = rows.first?.blob(0), hash.count == MerkleTree.hashLength else {
            throw LedgerError.notALedger(path: path, reason: "Merkle node (\(level), \(position)) is missing")
        }
        return hash
    }

    /// MTH of leaves [start, start + size), from stored complete subtrees: O(log size) reads.
    public func subtreeHash(start: UInt64, size: UInt64) throws -> [UInt8] {
        precondition(size >= 1)
        if size & (size - 1) == 0, start % size == 0 {
            let level = Int64(size.trailingZeroBitCount)
            return try storedNode(level: level, position: Int64(start / size))
        }
        let k = MerkleProofBuilder.split(size)
        return MerkleTree.nodeHash(
            try subtreeHash(start: start, size: k), try subtreeHash(start: start + k, size: size - k))
    }

    /// Returns the root hash at `size`.
    public func rootHash(size: UInt64) throws -> [UInt8] {
        size == 0 ? MerkleTree.emptyRoot : try subtreeHash(start: 0, size: size)
    }

    /// Returns the root at `size` computed from `leaves` and from stored nodes for the
    /// subtrees that contain none of them. `leaves` are hashes the caller computed from entry
    /// bytes it read, sorted by index, each below `size`. When the result equals a signed
    /// checkpoint's root, those entry bytes are the ones the checkpoint covers.
    func rootHash(size: UInt64, withLeaves leaves: ArraySlice<(index: UInt64, hash: [UInt8])>) throws -> [UInt8] {
        try subtreeHash(start: 0, size: size, withLeaves: leaves)
    }

    private func subtreeHash(
        start: UInt64, size: UInt64, withLeaves leaves: ArraySlice<(index: UInt64, hash: [UInt8])>
    ) throws -> [UInt8] {
        guard let first = leaves.first else { return try subtreeHash(start: start, size: size) }
        if size == 1 { return first.hash }
        let k = MerkleProofBuilder.split(size)
        let middle = leaves.firstIndex { $0.index >= start + k } ?? leaves.endIndex
        return MerkleTree.nodeHash(
            try subtreeHash(start: start, size: k, withLeaves: leaves[..<middle]),
            try subtreeHash(start: start + k, size: size - k, withLeaves: leaves[middle...]))
    }

    public func proofBuilder(size: UInt64) -> MerkleProofBuilder {
        MerkleProofBuilder(treeSize: size) { [self] start, count in try subtreeHash(start: start, size: count) }
    }

    /// Signs and stores a checkpoint for the current tree inside the caller's transaction.
    func storeCheckpoint(key: Ed25519.SecretKey, now: Timestamp) throws {
        let size = try treeSize()
        guard size > 0 else { return }
        let existing = try database.query("SELECT 1 FROM checkpoints WHERE tree_size = ?", [.integer(Int64(size))])
        guard existing.isEmpty else { return }
        try registerKeyIfNeeded(key.publicKey, recordedAt: now, operatorName: "vupt-issuer")
        let finalSize = try treeSize()
        let checkpoint = Checkpoint(origin: try origin(), treeSize: finalSize, rootHash: try rootHash(size: finalSize))
        let note = CheckpointSigner.sign(checkpoint, key: key)
        try database.run(
            "INSERT INTO checkpoints (tree_size, root_hash, key_id, signed_note, created_at) VALUES (?, ?, ?, ?, ?)",
            [.integer(Int64(finalSize)), .blob(checkpoint.rootHash), .text(PASERK.publicKeyID(key.publicKey)),
             .text(note), .text(now.rfc3339)])
    }

    /// Returns the newest stored checkpoint as a signed note.
    public func latestCheckpoint() throws -> String? {
        try database.query("SELECT signed_note FROM checkpoints ORDER BY tree_size DESC LIMIT 1").first?.text(0)
    }

    /// Returns the C2SP verifier key of the key that signed the newest checkpoint.
    public func checkpointVerifierKey() throws -> String? {
        guard let keyID = try database.query(
            "SELECT key_id FROM checkpoints ORDER BY tree_size DESC LIMIT 1").first?.text(0),
            let paserk = try database.query("SELECT public_key FROM signing_keys WHERE key_id = ?", [.text(keyID)]).first?.text(0)
        else { return nil }
        return SignedNote.verifierKey(name: try origin(), publicKey: try PASERK.decodePublic(paserk))
    }

    /// Returns every stored checkpoint, oldest first.
    public func checkpoints() throws -> [(treeSize: UInt64, signedNote: String)] {
        try database.query("SELECT tree_size, signed_note FROM checkpoints ORDER BY tree_size").map {
            (UInt64($0.integer(0) ?? 0), $0.text(1) ?? "")
        }
    }
}

/// Signs tlog checkpoints as C2SP signed notes, with the origin as the key name.
public enum CheckpointSigner {
    public static func sign(_ checkpoint: Checkpoint, key: Ed25519.SecretKey) -> String {
        let text = checkpoint.noteText
        let signature = SignedNote.Signature(
            keyName: checkpoint.origin, keyID: SignedNote.keyID(name: checkpoint.origin, publicKey: key.publicKey),
            signature: key.signature(for: Array(text.utf8)))
        return SignedNote(text: text, signatures: [signature]).serialized
    }
}
