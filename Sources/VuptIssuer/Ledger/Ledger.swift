import VuptSQLite
import VuptSodium
import VuptVerifier

/// The vendor's append-only issuance ledger in one SQLite file.
///
/// Every write is one `BEGIN IMMEDIATE` transaction; a license is signed inside the
/// transaction that records it, so it exists only if the commit succeeds.
public final class Ledger {
    public static let defaultFileName = "vupt-ledger.sqlite"
    /// How long one attempt waits for another writer's lock.
    public static let busyTimeoutMilliseconds: Int32 = 5_000
    /// Write attempts before giving up with `busy`; the documented total wait is their product.
    public static let writeAttempts = 3

    public let path: String
    var database: Database
    /// The newest Merkle node stored at each level (0 for leaves) in the current write
    /// transaction, by level. It is emptied when a transaction starts and when it ends,
    /// so a rolled-back node is never reused.
    var recentNodes: [Int64: (position: Int64, hash: [UInt8])] = [:]

    /// Opens the ledger, creating and migrating it when `readOnly` is false.
    public init(path: String, readOnly: Bool = false) throws(LedgerError) {
        self.path = path
        if readOnly, !FileIO.exists(path) { throw .cannotOpen(path: path, reason: "file not found") }
        do {
            database = try Database(path: path, readOnly: readOnly)
        } catch {
            throw .cannotOpen(path: path, reason: error.message)
        }
        database.setBusyTimeout(milliseconds: Ledger.busyTimeoutMilliseconds)
        do {
            do {
                try configure(readOnly: readOnly)
                if !readOnly { try migrate() } else { try checkSchema() }
            } catch let error as SQLiteError where readOnly && (error.isCannotOpen || error.isReadOnly) {
                // A WAL ledger on read-only media: its WAL index cannot be created, so the
                // copy is opened as immutable instead.
                database = try Database(path: path, immutable: true)
                try configure(readOnly: true)
                try checkSchema()
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            if error.isNotADatabase { throw .notALedger(path: path, reason: error.message) }
            if error.isBusy { throw .busy(path: path, waitedMilliseconds: Int(Ledger.busyTimeoutMilliseconds)) }
            if error.isReadOnly { throw .readOnly(path: path) }
            throw .sqlite(error)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    private func configure(readOnly: Bool) throws {
        if !readOnly {
            _ = try database.query("PRAGMA journal_mode = WAL")
        }
        try database.execute("PRAGMA synchronous = FULL")
        try database.execute("PRAGMA foreign_keys = ON")
    }

    private func schemaVersion() throws -> Int {
        Int(try database.query("PRAGMA user_version").first?.integer(0) ?? 0)
    }

    private func checkSchema() throws {
        let version = try schemaVersion()
        if version > LedgerSchema.latestVersion {
            throw LedgerError.newerSchema(path: path, found: version, supported: LedgerSchema.latestVersion)
        }
        if version == 0 { throw LedgerError.notALedger(path: path, reason: "it has no ledger schema") }
    }

    private func migrate() throws {
        let version = try schemaVersion()
        if version > LedgerSchema.latestVersion {
            throw LedgerError.newerSchema(path: path, found: version, supported: LedgerSchema.latestVersion)
        }
        if version == 0 {
            let tables = try database.query("SELECT count(*) FROM sqlite_schema").first?.integer(0) ?? 0
            if tables > 0 { throw LedgerError.notALedger(path: path, reason: "it holds other tables") }
        }
        for migration in LedgerSchema.migrations where migration.version > version {
            try database.transaction {
                // Another process may have applied it while this one waited for the lock.
                guard try schemaVersion() < migration.version else { return }
                try database.execute(migration.sql)
                if migration.version == 1 {
                    try database.run(
                        "INSERT INTO ledger_info (name, value) VALUES ('origin', ?)", [.text(try Ledger.newOrigin())])
                }
                try database.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .text(SystemClock.now().rfc3339)])
                try database.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    /// Returns the origin line of this ledger's checkpoints and the key name they are signed
    /// under: `vupt-ledger/` and 16 random hex digits chosen when the ledger is created,
    /// or `VUPT_LEDGER_ORIGIN` at that moment.
    static func newOrigin() throws -> String {
        if let origin = FileIO.environment("VUPT_LEDGER_ORIGIN"), !origin.isEmpty,
            !origin.contains(where: { $0 == " " || $0 == "+" || $0 == "\n" })
        {
            return origin
        }
        let digits = Array("0123456789abcdef")
        return "vupt-ledger/" + String(try Sodium.randomBytes(count: 8).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// Runs a write transaction, retrying when another process holds the lock. Before
    /// the commit it extends the Merkle tree and stores a checkpoint signed with `key`,
    /// so every committed state of the ledger has a signed tree head.
    func write<Result>(key: Ed25519.SecretKey, now: Timestamp, _ body: () throws -> Result) throws -> Result {
        for attempt in 1...Ledger.writeAttempts {
            do {
                recentNodes = [:]
                defer { recentNodes = [:] }
                return try database.transaction(immediate: true) {
                    let result = try body()
                    try storeCheckpoint(key: key, now: now)
                    return result
                }
            } catch let error as SQLiteError where error.isBusy {
                if attempt == Ledger.writeAttempts { break }
            } catch let error as SQLiteError where error.isReadOnly {
                throw LedgerError.readOnly(path: path)
            } catch let error as SQLiteError {
                throw LedgerError.sqlite(error)
            }
        }
        throw LedgerError.busy(
            path: path, waitedMilliseconds: Int(Ledger.busyTimeoutMilliseconds) * Ledger.writeAttempts)
    }
}
