import VuptSodium

/// RFC 6962 (and RFC 9162 section 2.1) Merkle tree hashing with SHA-256.
public enum MerkleTree {
    public static let hashLength = 32

    /// SHA-256(0x00 || leaf bytes).
    public static func leafHash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { leafHash($0) }
    }

    /// SHA-256(0x00 || leaf bytes) of bytes that are not in an array.
    public static func leafHash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        SHA256.hash(prefix: 0x00, bytes)
    }

    /// SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        SHA256.hash(parts: [[0x01], left, right])
    }

    /// The hash of the empty tree: SHA-256 of nothing.
    public static let emptyRoot = SHA256.hash([])

    /// The root over leaf hashes, in O(n) time and O(log n) memory.
    ///
    /// A stack keeps the roots of complete subtrees, largest first; folding it from the
    /// right at the end gives MTH for any size, as RFC 6962 defines it recursively.
    public static func root(leafHashes: some Sequence<[UInt8]>) -> [UInt8] {
        var accumulator = RootAccumulator()
        for leaf in leafHashes { accumulator.append(leafHash: leaf) }
        return accumulator.root
    }

    /// Incremental root computation over a stream of leaf hashes.
    public struct RootAccumulator: Sendable {
        /// Complete subtree roots with their sizes, largest first.
        private var stack: [(size: UInt64, hash: [UInt8])] = []
        public private(set) var count: UInt64 = 0

        public init() {}

        public mutating func append(leafHash: [UInt8]) {
            var node = (size: UInt64(1), hash: leafHash)
            while let last = stack.last, last.size == node.size {
                stack.removeLast()
                node = (last.size * 2, MerkleTree.nodeHash(last.hash, node.hash))
            }
            stack.append(node)
            count += 1
        }

        public var root: [UInt8] {
            guard var hash = stack.last?.hash else { return MerkleTree.emptyRoot }
            for node in stack.dropLast().reversed() { hash = MerkleTree.nodeHash(node.hash, hash) }
            return hash
        }
    }

    /// Checks an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.
    public static func verifyInclusion(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]], root: [UInt8]
    ) -> Bool {
        guard index < treeSize, proof.allSatisfy({ $0.count == hashLength }) else { return false }
        var fn = index
        var sn = treeSize - 1
        var result = leafHash
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                result = nodeHash(sibling, result)
                if fn & 1 == 0 {
                    repeat {
                        fn >>= 1
                        sn >>= 1
                    } while fn & 1 == 0 && fn != 0
                }
            } else {
                result = nodeHash(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && Sodium.constantTimeEqual(result, root)
    }

    /// Checks a consistency proof with the algorithm of RFC 9162 section 2.1.4.2.
    public static func verifyConsistency(
        oldSize: UInt64, oldRoot: [UInt8], newSize: UInt64, newRoot: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard oldSize <= newSize, proof.allSatisfy({ $0.count == hashLength }) else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        var path = proof
        // When the old size is a power of two, the old root is the first node of the path.
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for node in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(node, fr)
                sr = nodeHash(node, sr)
                if fn & 1 == 0 {
                    repeat {
                        fn >>= 1
                        sn >>= 1
                    } while fn & 1 == 0 && fn != 0
                }
            } else {
                sr = nodeHash(sr, node)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}

/// Generation of RFC 6962 proofs from any source of subtree hashes.
///
/// `subtreeHash(start, size)` must return MTH of leaves [start, start + size). The
/// issuer computes it from stored nodes in O(log n) reads, and tests compute it from leaves.
public struct MerkleProofBuilder {
    public let treeSize: UInt64
    let subtreeHash: (UInt64, UInt64) throws -> [UInt8]

    public init(treeSize: UInt64, subtreeHash: @escaping (UInt64, UInt64) throws -> [UInt8]) {
        self.treeSize = treeSize
        self.subtreeHash = subtreeHash
    }

    /// Largest power of two strictly less than `n` (n ≥ 2).
    public static func split(_ n: UInt64) -> UInt64 {
        var k: UInt64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// PATH(m, D[0:n]) from RFC 6962 section 2.1.1, leaf-side sibling first.
    public func inclusionProof(index: UInt64) throws -> [[UInt8]] {
        precondition(index < treeSize)
        return try path(index, start: 0, size: treeSize)
    }

    private func path(_ index: UInt64, start: UInt64, size: UInt64) throws -> [[UInt8]] {
        if size <= 1 { return [] }
        let k = Self.split(size)
        if index < k {
            return try path(index, start: start, size: k) + [subtreeHash(start + k, size - k)]
        }
        return try path(index - k, start: start + k, size: size - k) + [subtreeHash(start, k)]
    }

    /// PROOF(m, D[0:n]) from RFC 6962 section 2.1.2.
    public func consistencyProof(oldSize: UInt64) throws -> [[UInt8]] {
        precondition(oldSize <= treeSize)
        if oldSize == 0 || oldSize == treeSize { return [] }
        return try subproof(oldSize, start: 0, size: treeSize, complete: true)
    }

    private func subproof(_ m: UInt64, start: UInt64, size: UInt64, complete: Bool) throws -> [[UInt8]] {
        if m == size { return complete ? [] : [try subtreeHash(start, size)] }
        let k = Self.split(size)
        if m <= k {
            return try subproof(m, start: start, size: k, complete: complete) + [subtreeHash(start + k, size - k)]
        }
        return try subproof(m - k, start: start + k, size: size - k, complete: false) + [subtreeHash(start, k)]
    }
}
