import VuptSQLite
import VuptSodium
import VuptVerifier

/// One kind of damage the audit can find.
public enum AuditFinding: String, Sendable {
    /// An entry's bytes, leaf hash or a row derived from it was changed.
    case edited
    /// An entry is missing from the middle of the log.
    case removed
    /// An entry that was never logged, or a duplicate, appears.
    case inserted
    /// Entries appear in another order than they were logged.
    case reordered
    /// Entries after a signed checkpoint are gone.
    case truncated
    /// A checkpoint's signature or root does not hold.
    case badCheckpoint = "bad-checkpoint"
    /// A license or revocation-list token does not verify with a trusted key.
    case badSignature = "bad-signature"
}

/// The first problem found, by entry index.
public struct AuditProblem: Sendable, CustomStringConvertible {
    public let finding: AuditFinding
    /// The first affected entry index; nil when the damage is not tied to one entry.
    public let index: Int64?
    public let detail: String

    public var description: String {
        if let index { return "\(finding.rawValue) at entry \(index): \(detail)" }
        return "\(finding.rawValue): \(detail)"
    }
}

/// The audit's counts and its first finding.
public struct AuditReport: Sendable {
    public var entries: UInt64 = 0
    public var licenses = 0
    public var checkpoints = 0
    public var rootHash: [UInt8] = MerkleTree.emptyRoot
    public var origin = ""
    /// The first problem found, or nil when every check held.
    public var problem: AuditProblem?
    public var warnings: [String] = []

    public var isIntact: Bool { problem == nil }

    /// The recomputed root hash in standard base64, as checkpoints show it.
    public var rootHashBase64: String { Base64Standard.encode(rootHash) }
}

/// Entries read together, with the work on them that runs on other threads.
private struct AuditBatch {
    let rows: PackedRows
    let prechecks: Parallel.Batch<Int, EntryPrecheck>
    /// The signature checks of the checkpoints whose tree size falls in this batch.
    let checkpoints: Parallel.Batch<(Int64, String), (Int64, Result<Checkpoint, NoteError>)>

    func finish() {
        _ = prechecks.results()
        _ = checkpoints.results()
    }
}

/// Recomputes and checks a ledger with public keys only. It reads the file once, in one
/// read transaction, holding O(log n) tree state plus one row at a time, so memory stays
/// flat as the ledger grows.
public enum LedgerAuditor {
    /// Entries read, hashed and verified together; large enough to keep both cores busy,
    /// small enough that memory stays flat.
    static let auditBatchSize = 2048

    struct Failure: Error {
        let problem: AuditProblem
    }

    /// Audits the ledger at `path`.
    ///
    /// - Parameters:
    ///   - trustedKeys: the vendor's public keys. When empty, the keys registered in the
    ///     ledger itself are used, which shows internal consistency but not who signed.
    ///   - keptCheckpoint: a signed checkpoint the auditor saved earlier; the ledger must
    ///     extend it.
    public static func audit(path: String, trustedKeys: TrustedKeySet, keptCheckpoint: String? = nil) throws -> AuditReport {
        try audit(path: path, trustedKeys: trustedKeys, keptCheckpoint: keptCheckpoint, quickProof: true)
    }

    /// Audits as `audit(path:trustedKeys:keptCheckpoint:)` does; with `quickProof` false every
    /// license entry takes the full check, which tests compare with the quicker proof.
    static func audit(path: String, trustedKeys: TrustedKeySet, keptCheckpoint: String?, quickProof: Bool) throws -> AuditReport {
        let ledger = try Ledger(path: path, readOnly: true)
        let database = ledger.database
        var report = AuditReport()
        try database.execute("BEGIN")
        defer { try? database.execute("COMMIT") }

        report.origin = try ledger.origin()
        var keys = trustedKeys
        if keys.isEmpty {
            report.warnings.append(
                "no --public-key given: signatures were checked against the keys the ledger registers itself")
            for (keyID, paserk) in try ledger.signingKeys() {
                keys.add(try TrustedKey(name: keyID, paserk: paserk, source: .file(path: path)))
            }
        }

        do {
            let kept = try keptCheckpoint.map { text throws in try parseKept(text, keys: keys, origin: report.origin) }
            var kinds = KindCounts()
            let keptRoot = try walk(
                ledger: ledger, keys: keys, keptSize: kept?.treeSize, quickProof: quickProof, kinds: &kinds, report: &report)
            try checkDerivedCounts(database, kinds: kinds)
            if let kept { try checkKept(kept, recomputedRoot: keptRoot, report: report) }
        } catch let failure as Failure {
            report.problem = failure.problem
        }
        return report
    }

    /// Streams entries and checkpoints together in tree-size order. Returns the root
    /// recomputed from the entries at `keptSize`, when that size is reached.
    private static func walk(
        ledger: Ledger, keys: TrustedKeySet, keptSize: UInt64?, quickProof: Bool, kinds: inout KindCounts,
        report: inout AuditReport
    ) throws -> [UInt8]? {
        let database = ledger.database
        let entries = try database.prepare(
            "SELECT entry_index, kind, recorded_at, operator, entry_bytes, leaf_hash FROM ledger_entries ORDER BY rowid")
        let checkpoints = try database.prepare("SELECT tree_size, root_hash, signed_note FROM checkpoints ORDER BY tree_size")
        var nextCheckpoint = try checkpoints.step()
        var accumulator = MerkleTree.RootAccumulator()
        var position: Int64 = 0
        var lastCheckpointSize: Int64 = 0
        var checkpointNumber = 0
        var keptRoot: [UInt8]? = keptSize == 0 ? MerkleTree.emptyRoot : nil

        // Entries are read in batches, as column bytes without a Swift value per column.
        // While the checks below run in order on this thread, so that the first problem is
        // the one reported, the next batch's hashes and signatures are computed on the other
        // cores, and its checkpoints verified. A license entry written the usual way is
        // proved by `CanonicalLicenseEntry` without parsing; any other takes the full check.
        let checker = EntryChecker(database: database, keys: keys)
        let checkpointNotes = try database.prepare(
            "SELECT tree_size, signed_note FROM checkpoints WHERE tree_size > ? AND tree_size <= ? ORDER BY tree_size")
        var readEntries = 0
        var exhausted = false
        var lastBatchBytes = 0
        // One core is left to this thread; it joins the workers when it waits for a batch.
        let lanes = Parallel.Lanes(count: Parallel.threads - 1)
        func readBatch() throws -> AuditBatch? {
            var rows = PackedRows(columns: entries.columnCount)
            // Batches are alike, so the last one's size is reserved up front.
            rows.reserveCapacity(rows: auditBatchSize, bytes: lastBatchBytes + lastBatchBytes / 8)
            // A finished statement resets itself, so it is not stepped again.
            while !exhausted, rows.count < auditBatchSize {
                guard try entries.step(into: &rows) else {
                    exhausted = true
                    break
                }
            }
            if rows.count == 0 { return nil }
            lastBatchBytes = rows.bytes.count
            try checkpointNotes.bind([.integer(Int64(readEntries)), .integer(Int64(readEntries + rows.count))])
            var notes: [(Int64, String)] = []
            while let note = try checkpointNotes.step() { notes.append((note.integer(0) ?? 0, note.text(1) ?? "")) }
            readEntries += rows.count
            return AuditBatch(
                rows: rows,
                prechecks: try EntryPrecheck.start(
                    rows, lanes: lanes, keys: keys, database: database, quickProof: quickProof),
                checkpoints: Parallel.Batch(notes) { note in
                    (note.0, Result { () throws(NoteError) in try Checkpoint.verify(signedNote: note.1, trustedKeys: keys).checkpoint })
                })
        }
        var upcoming = try readBatch()
        // No hashing or verification outlives the audit, even when it stops at a problem.
        defer { upcoming?.finish() }
        var batch = PackedRows(columns: entries.columnCount)
        var prechecks: [EntryPrecheck] = []
        var verifiedCheckpoints: [Int64: Result<Checkpoint, NoteError>] = [:]
        var next = 0
        while true {
            if next == batch.count {
                guard let current = upcoming else { break }
                upcoming = try readBatch()
                batch = current.rows
                prechecks = current.prechecks.results()
                verifiedCheckpoints = Dictionary(current.checkpoints.results(), uniquingKeysWith: { first, _ in first })
                next = 0
            }
            let row = next
            let precheck = prechecks[row]
            next += 1

            let index = batch.integer(row, 0) ?? -1
            kinds.count(batch, row: row, column: 1)
            try checkPosition(
                index: index, position: position, embedded: precheck.embeddedIndex(storedAs: index), database: database)
            let leaf = precheck.leafHash.bytes
            let storedLeafMatches = batch.kind(row, 5) == .blob
                ? batch.bytes.withUnsafeBytes { Sodium.constantTimeEqual(leaf, UnsafeRawBufferPointer(rebasing: $0[batch.range(row, 5)!])) }
                : Sodium.constantTimeEqual(leaf, batch.row(row).blob(5) ?? [])
            guard storedLeafMatches else {
                throw Failure(problem: AuditProblem(
                    finding: .edited, index: index, detail: "the stored leaf hash does not match the entry bytes"))
            }
            if precheck.canonicalLicense {
                report.licenses += 1
            } else {
                try checker.check(row: batch.row(row), precheck: precheck, report: &report)
            }
            accumulator.append(leafHash: leaf)
            position += 1
            if let keptSize, UInt64(position) == keptSize { keptRoot = accumulator.root }

            while let checkpoint = nextCheckpoint, (checkpoint.integer(0) ?? 0) <= position {
                checkpointNumber += 1
                let size = checkpoint.integer(0) ?? 0
                if size == position {
                    try checkCheckpoint(
                        checkpoint, verified: verifiedCheckpoints[size], root: accumulator.root, origin: report.origin,
                        keys: keys, firstIndex: lastCheckpointSize, number: checkpointNumber)
                    lastCheckpointSize = size
                    report.checkpoints += 1
                }
                nextCheckpoint = try checkpoints.step()
            }
        }
        report.entries = UInt64(position)
        report.rootHash = accumulator.root
        if let checkpoint = nextCheckpoint {
            let size = checkpoint.integer(0) ?? 0
            throw Failure(problem: AuditProblem(
                finding: .truncated, index: position,
                detail: "checkpoint \(checkpointNumber + 1) covers \(size) entries, but the ledger holds \(position); "
                    + "entries after checkpoint \(checkpointNumber) (size \(lastCheckpointSize)) are gone"))
        }
        if position > lastCheckpointSize {
            report.warnings.append("entries \(lastCheckpointSize) to \(position - 1) are not covered by a checkpoint")
        }
        return keptRoot
    }

    /// Compares an entry's place with the index written inside its bytes.
    private static func checkPosition(index: Int64, position: Int64, embedded: Int64?, database: Database) throws {
        guard let embedded else {
            throw Failure(problem: AuditProblem(finding: .edited, index: index, detail: "the entry bytes are not a ledger entry"))
        }
        if embedded == position, index == position { return }
        if embedded > position {
            // A swap moves the expected entry further down the file, but a removal loses it.
            if try storedLater(entry: position, afterRowID: index, database: database) {
                throw Failure(problem: AuditProblem(
                    finding: .reordered, index: position,
                    detail: "position \(position) holds entry \(embedded); entry \(position) is stored later"))
            }
            throw Failure(problem: AuditProblem(
                finding: .removed, index: position, detail: "entry \(position) is missing; the next one is \(embedded)"))
        }
        if embedded < position {
            throw Failure(problem: AuditProblem(
                finding: embedded == position - 1 ? .inserted : .reordered, index: position,
                detail: "position \(position) holds entry \(embedded)"))
        }
        throw Failure(problem: AuditProblem(
            finding: .reordered, index: position, detail: "entry \(embedded) is stored with index \(index)"))
    }

    /// Returns the `index` member of an entry's bytes.
    private static func embeddedIndex(_ bytes: [UInt8]) -> Int64? {
        EntryPrecheck.embeddedIndex(try? JSONValue.parse(bytes))
    }

    /// Returns whether an entry whose bytes name index `entry` comes after row `rowID`. It
    /// reads the rest of the file one row at a time and runs only after damage is found.
    private static func storedLater(entry: Int64, afterRowID rowID: Int64, database: Database) throws -> Bool {
        let rest = try database.prepare("SELECT entry_bytes FROM ledger_entries WHERE rowid > ? ORDER BY rowid")
        try rest.bind([.integer(rowID)])
        while let row = try rest.step() {
            if embeddedIndex(row.blob(0) ?? []) == entry { return true }
        }
        return false
    }

    /// Checks a stored checkpoint. `verified` is its note's verification when the batch
    /// computed it in advance; the note is verified here otherwise.
    private static func checkCheckpoint(
        _ row: Row, verified: Result<Checkpoint, NoteError>?, root: [UInt8], origin: String, keys: TrustedKeySet,
        firstIndex: Int64, number: Int
    ) throws {
        let size = row.integer(0) ?? 0
        let note = row.text(2) ?? ""
        let checkpoint: Checkpoint
        do {
            checkpoint = try verified?.get() ?? Checkpoint.verify(signedNote: note, trustedKeys: keys).checkpoint
        } catch {
            throw Failure(problem: AuditProblem(
                finding: .badCheckpoint, index: firstIndex, detail: "checkpoint \(number) at size \(size): \(error)"))
        }
        guard checkpoint.treeSize == UInt64(size), sameBytes(checkpoint.origin, origin),
            Sodium.constantTimeEqual(checkpoint.rootHash, row.blob(1) ?? [])
        else {
            throw Failure(problem: AuditProblem(
                finding: .badCheckpoint, index: firstIndex,
                detail: "checkpoint \(number) at size \(size) disagrees with its stored size, origin or root"))
        }
        guard Sodium.constantTimeEqual(checkpoint.rootHash, root) else {
            throw Failure(problem: AuditProblem(
                finding: .edited, index: firstIndex,
                detail: "the recomputed root at size \(size) differs from signed checkpoint \(number); "
                    + "an entry from \(firstIndex) to \(size - 1) was changed"))
        }
    }

    /// The number of entries of each kind, tallied from the `kind` column as the walk reads
    /// every entry, so that the derived tables' counts need no second pass over the log.
    struct KindCounts {
        private static let kinds = LedgerEntryKind.allCases
        private static let names = kinds.map { Array($0.rawValue.utf8) }
        private var counts = [Int64](repeating: 0, count: KindCounts.kinds.count)

        subscript(kind: LedgerEntryKind) -> Int64 { counts[KindCounts.kinds.firstIndex(of: kind)!] }

        /// Counts the kind in a text column whose bytes are exactly a kind's name, as SQL's
        /// `kind = '…'` compares.
        mutating func count(_ rows: PackedRows, row: Int, column: Int) {
            guard rows.kind(row, column) == .text, let range = rows.range(row, column) else { return }
            let offset = rows.bytes.withUnsafeBufferPointer { bytes in
                KindCounts.names.firstIndex { $0.count == range.count && $0.elementsEqual(bytes[range]) }
            }
            if let offset { counts[offset] += 1 }
        }
    }

    /// Every license, revocation and key row must come from an entry.
    private static func checkDerivedCounts(_ database: Database, kinds: KindCounts) throws {
        let pairs: [(table: String, kinds: [LedgerEntryKind])] = [
            ("licenses", [.licenseMinted, .licenseRenewed]), ("revocations", [.licenseRevoked]),
            ("signing_keys", [.keyRegistered]), ("revocation_lists", [.revocationListIssued]),
        ]
        for pair in pairs {
            let rows = try database.query("SELECT count(*) FROM \(pair.table)").first?.integer(0) ?? 0
            let entries = pair.kinds.reduce(0) { $0 + kinds[$1] }
            if rows != entries {
                let orphan = try database.query(
                    "SELECT min(entry_index) FROM \(pair.table) WHERE entry_index NOT IN (SELECT entry_index FROM ledger_entries)"
                ).first?.integer(0)
                throw Failure(problem: AuditProblem(
                    finding: rows > entries ? .inserted : .removed, index: orphan,
                    detail: "\(pair.table) has \(rows) rows but the log has \(entries) such entries"))
            }
        }
    }

    private static func parseKept(_ kept: String, keys: TrustedKeySet, origin: String) throws -> Checkpoint {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(signedNote: kept, trustedKeys: keys).checkpoint
        } catch {
            throw Failure(problem: AuditProblem(finding: .badCheckpoint, index: nil, detail: "the kept checkpoint: \(error)"))
        }
        guard sameBytes(checkpoint.origin, origin) else {
            throw Failure(problem: AuditProblem(
                finding: .badCheckpoint, index: nil,
                detail: "the kept checkpoint is for log '\(checkpoint.origin)', this ledger is '\(origin)'"))
        }
        return checkpoint
    }

    private static func checkKept(_ checkpoint: Checkpoint, recomputedRoot: [UInt8]?, report: AuditReport) throws {
        guard checkpoint.treeSize <= report.entries, let recomputedRoot else {
            throw Failure(problem: AuditProblem(
                finding: .truncated, index: Int64(report.entries),
                detail: "the kept checkpoint covers \(checkpoint.treeSize) entries, the ledger holds \(report.entries)"))
        }
        guard Sodium.constantTimeEqual(recomputedRoot, checkpoint.rootHash) else {
            throw Failure(problem: AuditProblem(
                finding: .edited, index: nil,
                detail: "the ledger's first \(checkpoint.treeSize) entries differ from the kept checkpoint"))
        }
    }
}
