import Foundation
import Testing
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// RFC 6962 tree hashing against published roots, and proofs from `MerkleProofBuilder`
/// checked by the RFC 9162 verification algorithms for every small tree.
@Suite struct MerkleVectorTests {
    /// Published RFC 6962 SHA-256 vectors: eight leaf inputs and the root over the first
    /// n of them for n = 0...8.
    struct RootVectors: Decodable {
        let leafInputsHex: [String]
        let rootHashesByTreeSizeHex: [String]

        enum CodingKeys: String, CodingKey {
            case leafInputsHex = "leaf_inputs_hex"
            case rootHashesByTreeSizeHex = "root_hashes_by_tree_size_hex"
        }

        static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> RootVectors? {
            guard let data = TestSupport.sharedFile("vectors/rfc6962/roots.json", sourceLocation: sourceLocation) else {
                return nil
            }
            return try JSONDecoder().decode(RootVectors.self, from: data)
        }

        var leafHashes: [[UInt8]] { leafInputsHex.map { MerkleTree.leafHash(TestSupport.bytes(hex: $0)) } }
        var roots: [[UInt8]] { rootHashesByTreeSizeHex.map { TestSupport.bytes(hex: $0) } }
    }

    /// The largest tree size whose every proof is generated and checked.
    static let maximumTreeSize: UInt64 = 20

    /// Leaf hashes of distinct synthetic entries.
    static let leaves: [[UInt8]] = (0..<maximumTreeSize).map { MerkleTree.leafHash(Array("entry \($0)".utf8)) }

    /// MTH(D[start, start + size)) computed straight from RFC 6962 section 2.1, with no
    /// code shared with the implementation under test beyond the node hash.
    static func referenceHash(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return SHA256.hash([]) }
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let middle = leaves.startIndex + k
        return MerkleTree.nodeHash(referenceHash(leaves[..<middle]), referenceHash(leaves[middle...]))
    }

    static func root(size: UInt64) -> [UInt8] {
        referenceHash(leaves[0..<Int(size)])
    }

    static func builder(size: UInt64) -> MerkleProofBuilder {
        MerkleProofBuilder(treeSize: size) { start, count in
            referenceHash(leaves[Int(start)..<Int(start + count)])
        }
    }

    /// Returns the proof with one bit of hash `position` inverted.
    static func flipping(_ proof: [[UInt8]], at position: Int) -> [[UInt8]] {
        var result = proof
        result[position][0] ^= 0x01
        return result
    }

    // MARK: Published roots

    @Test func vectorFileHasNineRoots() throws {
        guard let vectors = try RootVectors.load() else { return }
        #expect(vectors.leafInputsHex.count == 8)
        #expect(vectors.rootHashesByTreeSizeHex.count == 9)
    }

    @Test func rootMatchesPublishedRoots() throws {
        guard let vectors = try RootVectors.load() else { return }
        let leaves = vectors.leafHashes
        for (size, expected) in vectors.roots.enumerated() {
            let root = MerkleTree.root(leafHashes: leaves.prefix(size))
            #expect(TestSupport.hex(root) == TestSupport.hex(expected), "tree size \(size)")
        }
    }

    @Test func accumulatorMatchesPublishedRoots() throws {
        guard let vectors = try RootVectors.load() else { return }
        let roots = vectors.roots
        var accumulator = MerkleTree.RootAccumulator()
        #expect(TestSupport.hex(accumulator.root) == TestSupport.hex(roots[0]), "tree size 0")
        for (offset, leaf) in vectors.leafHashes.enumerated() {
            accumulator.append(leafHash: leaf)
            let size = offset + 1
            #expect(accumulator.count == UInt64(size), "tree size \(size)")
            #expect(TestSupport.hex(accumulator.root) == TestSupport.hex(roots[size]), "tree size \(size)")
        }
    }

    @Test func referenceMatchesPublishedRoots() throws {
        guard let vectors = try RootVectors.load() else { return }
        let leaves = vectors.leafHashes
        for (size, expected) in vectors.roots.enumerated() {
            #expect(Self.referenceHash(leaves[0..<size]) == expected, "tree size \(size)")
        }
    }

    @Test func emptyRootIsEmptySHA256() {
        #expect(TestSupport.hex(MerkleTree.emptyRoot)
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func accumulatorMatchesReferenceToTwenty() {
        var accumulator = MerkleTree.RootAccumulator()
        for size in 1...Self.maximumTreeSize {
            accumulator.append(leafHash: Self.leaves[Int(size - 1)])
            #expect(accumulator.root == Self.root(size: size), "tree size \(size)")
        }
    }

    @Test func splitIsLargestPowerBelow() {
        let cases: [(n: UInt64, k: UInt64)] = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (16, 8), (17, 16)]
        for (n, k) in cases {
            #expect(MerkleProofBuilder.split(n) == k, "n = \(n)")
        }
    }

    // MARK: Inclusion proofs

    @Test func inclusionProofsVerifyToTwenty() throws {
        for size in 1...Self.maximumTreeSize {
            let builder = Self.builder(size: size)
            let root = Self.root(size: size)
            for index in 0..<size {
                let proof = try builder.inclusionProof(index: index)
                #expect(
                    MerkleTree.verifyInclusion(
                        leafHash: Self.leaves[Int(index)], index: index, treeSize: size, proof: proof, root: root),
                    "index \(index), size \(size)")
            }
        }
    }

    @Test func inclusionProofLengthIsLogarithmic() throws {
        for size in 1...Self.maximumTreeSize {
            let builder = Self.builder(size: size)
            // ceil(log2(size)) bounds the path length, and a single leaf needs none.
            let bound = size == 1 ? 0 : 64 - (size - 1).leadingZeroBitCount
            for index in 0..<size {
                let proof = try builder.inclusionProof(index: index)
                #expect(proof.count <= bound, "index \(index), size \(size): \(proof.count) hashes")
            }
        }
    }

    @Test func inclusionFailsWithFlippedHash() throws {
        for size in 2...Self.maximumTreeSize {
            let builder = Self.builder(size: size)
            let root = Self.root(size: size)
            for index in 0..<size {
                let proof = try builder.inclusionProof(index: index)
                for position in proof.indices {
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: Self.leaves[Int(index)], index: index, treeSize: size,
                            proof: Self.flipping(proof, at: position), root: root),
                        "index \(index), size \(size), hash \(position) flipped")
                }
            }
        }
    }

    @Test func inclusionFailsWithOtherSize() throws {
        for size in 1...Self.maximumTreeSize {
            let builder = Self.builder(size: size)
            for index in 0..<size {
                let proof = try builder.inclusionProof(index: index)
                // A verifier takes the size and root from one checkpoint, so a wrong size
                // comes with the root of that size.
                for otherSize in [size - 1, size + 1] where otherSize > index && otherSize <= Self.maximumTreeSize {
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: Self.leaves[Int(index)], index: index, treeSize: otherSize, proof: proof,
                            root: Self.root(size: otherSize)),
                        "index \(index), proof for size \(size), checked at size \(otherSize)")
                }
            }
        }
    }

    @Test func inclusionFailsForOtherLeaf() throws {
        let size: UInt64 = 13
        let builder = Self.builder(size: size)
        let root = Self.root(size: size)
        for index in 0..<size {
            let proof = try builder.inclusionProof(index: index)
            let otherLeaf = Self.leaves[Int((index + 1) % size)]
            #expect(
                !MerkleTree.verifyInclusion(leafHash: otherLeaf, index: index, treeSize: size, proof: proof, root: root),
                "index \(index)")
        }
    }

    @Test func inclusionRejectsIndexOutOfRange() {
        let root = Self.root(size: 4)
        #expect(!MerkleTree.verifyInclusion(leafHash: Self.leaves[0], index: 4, treeSize: 4, proof: [], root: root))
        #expect(!MerkleTree.verifyInclusion(leafHash: Self.leaves[0], index: 0, treeSize: 0, proof: [], root: root))
    }

    // MARK: Consistency proofs

    @Test func consistencyProofsVerifyToTwenty() throws {
        for newSize in 0...Self.maximumTreeSize {
            let builder = Self.builder(size: newSize)
            let newRoot = Self.root(size: newSize)
            for oldSize in 0...newSize {
                let proof = try builder.consistencyProof(oldSize: oldSize)
                #expect(
                    MerkleTree.verifyConsistency(
                        oldSize: oldSize, oldRoot: Self.root(size: oldSize), newSize: newSize, newRoot: newRoot,
                        proof: proof),
                    "old size \(oldSize), new size \(newSize)")
            }
        }
    }

    @Test func consistencyFailsWithFlippedHash() throws {
        for newSize in 2...Self.maximumTreeSize {
            let builder = Self.builder(size: newSize)
            let newRoot = Self.root(size: newSize)
            for oldSize in 1..<newSize {
                let proof = try builder.consistencyProof(oldSize: oldSize)
                #expect(!proof.isEmpty, "old size \(oldSize), new size \(newSize): empty proof")
                for position in proof.indices {
                    #expect(
                        !MerkleTree.verifyConsistency(
                            oldSize: oldSize, oldRoot: Self.root(size: oldSize), newSize: newSize, newRoot: newRoot,
                            proof: Self.flipping(proof, at: position)),
                        "old size \(oldSize), new size \(newSize), hash \(position) flipped")
                }
            }
        }
    }

    @Test func consistencyFailsWithOtherSize() throws {
        // From the empty tree any empty proof holds, so old sizes start at 1.
        for newSize in 1...Self.maximumTreeSize {
            let builder = Self.builder(size: newSize)
            for oldSize in 1...newSize {
                let proof = try builder.consistencyProof(oldSize: oldSize)
                let oldRoot = Self.root(size: oldSize)
                let newRoot = Self.root(size: newSize)
                if newSize < Self.maximumTreeSize {
                    #expect(
                        !MerkleTree.verifyConsistency(
                            oldSize: oldSize, oldRoot: oldRoot, newSize: newSize + 1,
                            newRoot: Self.root(size: newSize + 1), proof: proof),
                        "proof \(oldSize) to \(newSize), checked as \(oldSize) to \(newSize + 1)")
                }
                if oldSize > 1 {
                    #expect(
                        !MerkleTree.verifyConsistency(
                            oldSize: oldSize - 1, oldRoot: Self.root(size: oldSize - 1), newSize: newSize,
                            newRoot: newRoot, proof: proof),
                        "proof \(oldSize) to \(newSize), checked as \(oldSize - 1) to \(newSize)")
                }
            }
        }
    }

    @Test func consistencyFailsForOtherOldRoot() throws {
        let newSize: UInt64 = 17
        let builder = Self.builder(size: newSize)
        for oldSize in 1..<newSize {
            let proof = try builder.consistencyProof(oldSize: oldSize)
            var forkedLeaves = Array(Self.leaves[0..<Int(oldSize)])
            forkedLeaves[forkedLeaves.count - 1] = MerkleTree.leafHash(Array("forked".utf8))
            #expect(
                !MerkleTree.verifyConsistency(
                    oldSize: oldSize, oldRoot: Self.referenceHash(forkedLeaves[...]), newSize: newSize,
                    newRoot: Self.root(size: newSize), proof: proof),
                "old size \(oldSize)")
        }
    }

    @Test func consistencyRejectsShrinkingTree() {
        #expect(!MerkleTree.verifyConsistency(
            oldSize: 5, oldRoot: Self.root(size: 5), newSize: 4, newRoot: Self.root(size: 4), proof: []))
    }
}
