internal import CSQLite

/// An SQLite failure: the result code, SQLite's message and the SQL that failed.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The primary result code, for example 5 for SQLITE_BUSY.
    public let code: Int32
    public let message: String
    public let sql: String?

    /// The database stayed locked by another connection past the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// A constraint or trigger aborted the statement.
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }
    /// The file could not be opened for the requested access.
    public var isCannotOpen: Bool { code == SQLITE_CANTOPEN }
    public var isReadOnly: Bool { code == SQLITE_READONLY }
    /// The file is not an SQLite database, or is damaged.
    public var isNotADatabase: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql))" }
        return "SQLite error \(code): \(message)"
    }
}

/// A value bound to or read from a statement.
public enum SQLiteValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

/// One SQLite connection. It owns its handle and closes it on deinit.
///
/// A connection is used from one thread at a time; the toolkit opens one per process.
public final class Database {
    fileprivate let handle: OpaquePointer

    /// Opens or creates the database at `path`.
    ///
    /// - Parameters:
    ///   - readOnly: open without write access, so that a read-only copy can be audited.
    ///   - create: create the file when it does not exist.
    ///   - immutable: open read-only with SQLite's `immutable=1`, for a copy on read-only
    ///     media where the WAL index cannot be created. SQLite then takes no locks, so the
    ///     file must not change while it is open.
    public init(path: String, readOnly: Bool = false, create: Bool = true, immutable: Bool = false) throws(SQLiteError) {
        var connection: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            var escaped = ""
            for character in path {
                switch character {
                case "%": escaped += "%25"
                case "?": escaped += "%3f"
                case "#": escaped += "%23"
                default: escaped.append(character)
                }
            }
            name = "file:" + escaped + "?immutable=1"
        } else if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        }
        let status = sqlite3_open_v2(name, &connection, flags, nil)
        guard status == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let connection { sqlite3_close_v2(connection) }
            throw SQLiteError(code: status & 0xFF, message: message, sql: nil)
        }
        handle = connection
        sqlite3_extended_result_codes(handle, 0)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Waits up to `milliseconds` for a lock held by another connection before SQLITE_BUSY.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if status != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: status & 0xFF, message: message, sql: sql)
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Prepared statements of `query` and `run`, reused by SQL text. Each is stepped to
    /// completion before it returns, so one statement is never in use twice at once.
    private var statementCache: [String: Statement] = [:]

    private func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a statement with `arguments` and returns every row.
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> [Row] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        var rows: [Row] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// Runs a statement with `arguments` and returns every row, packed.
    /// `reservingBytes` is the expected size of all text and blob columns, when known.
    public func packedQuery(
        _ sql: String, _ arguments: [SQLiteValue] = [], reservingBytes: Int = 0
    ) throws(SQLiteError) -> PackedRows {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        var rows = PackedRows(columns: statement.columnCount)
        rows.reserveCapacity(rows: 0, bytes: reservingBytes)
        while try statement.step(into: &rows) {}
        return rows
    }

    /// Runs a statement with `arguments` that returns no rows.
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        while try statement.step() != nil {}
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    ///
    /// `immediate` takes the write lock at BEGIN, so that a writer waits for the lock up
    /// front instead of failing at its first write after reading.
    public func transaction<Result>(immediate: Bool = true, _ body: () throws -> Result) throws -> Result {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    fileprivate func error(_ status: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: status & 0xFF, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// A row's columns, by index.
public struct Row: Sendable {
    public let values: [SQLiteValue]

    public subscript(index: Int) -> SQLiteValue { values[index] }

    public func integer(_ index: Int) -> Int64? {
        if case .integer(let value) = values[index] { return value }
        return nil
    }

    public func text(_ index: Int) -> String? {
        if case .text(let value) = values[index] { return value }
        return nil
    }

    public func blob(_ index: Int) -> [UInt8]? {
        switch values[index] {
        case .blob(let value): return value
        case .text(let value): return Array(value.utf8)
        default: return nil
        }
    }
}

/// Rows kept as their columns' bytes in one buffer. Reading a large table this way makes
/// no Swift value per column: the audit reads every row of a ledger of millions of entries.
public struct PackedRows: Sendable {
    public enum Kind: UInt8, Sendable {
        case null, integer, text, blob
    }

    private struct Cell: Sendable {
        var kind: Kind
        /// The integer, or the bytes' offset in `bytes` for text and blobs.
        var value: Int64
        var count: Int
    }

    public let columns: Int
    /// Every text and blob column of every row, one after the other.
    public private(set) var bytes: [UInt8] = []
    private var cells: [Cell] = []

    public init(columns: Int) {
        self.columns = columns
    }

    /// Makes room for `rows` rows holding `bytes` bytes of text and blobs in all, so that
    /// filling a batch of known size copies nothing on the way.
    public mutating func reserveCapacity(rows: Int, bytes: Int) {
        cells.reserveCapacity(rows * columns)
        self.bytes.reserveCapacity(bytes)
    }

    /// The number of rows.
    public var count: Int { columns == 0 ? 0 : cells.count / columns }

    public func kind(_ row: Int, _ column: Int) -> Kind { cells[row * columns + column].kind }

    public func integer(_ row: Int, _ column: Int) -> Int64? {
        let cell = cells[row * columns + column]
        return cell.kind == .integer ? cell.value : nil
    }

    /// Returns where a text or blob column's bytes are in `bytes`, or nil for NULL and integers.
    public func range(_ row: Int, _ column: Int) -> Range<Int>? {
        let cell = cells[row * columns + column]
        guard cell.kind == .text || cell.kind == .blob else { return nil }
        return Int(cell.value)..<(Int(cell.value) + cell.count)
    }

    /// Returns the row with a Swift value per column, as `Statement.step()` returns it.
    public func row(_ row: Int) -> Row {
        Row(values: (0..<columns).map { column in
            let cell = cells[row * columns + column]
            let range = Int(cell.value)..<(Int(cell.value) + cell.count)
            switch cell.kind {
            case .null: return .null
            case .integer: return .integer(cell.value)
            case .text: return .text(String(decoding: bytes[range], as: UTF8.self))
            case .blob: return .blob(Array(bytes[range]))
            }
        })
    }

    fileprivate mutating func append(_ kind: Kind, integer: Int64 = 0, bytes pointer: UnsafeRawPointer? = nil, count: Int = 0) {
        if kind == .text || kind == .blob {
            cells.append(Cell(kind: kind, value: Int64(bytes.count), count: count))
            if let pointer, count > 0 {
                // A typed buffer, so that the append is one copy rather than a loop over bytes.
                bytes.append(contentsOf: UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: count))
            }
        } else {
            cells.append(Cell(kind: kind, value: integer, count: 0))
        }
    }
}

/// A prepared statement, finalized on deinit.
public final class Statement {
    // Unowned: the database caches its statements, and a strong reference back would keep
    // the connection open forever. A statement must not outlive its database.
    private unowned let database: Database
    private let handle: OpaquePointer
    public let sql: String

    fileprivate init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw database.error(status, sql: sql) }
        self.database = database
        self.handle = statement
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to parameters 1, 2, …
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
        let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(handle, index)
            case .integer(let number): status = sqlite3_bind_int64(handle, index, number)
            case .text(let text): status = sqlite3_bind_text(handle, index, text, -1, transient)
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), transient)
                }
            }
            guard status == SQLITE_OK else { throw database.error(status, sql: sql) }
        }
    }

    /// The number of columns in each row.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// Advances to the next row and appends it to `rows`, whose column count must be the
    /// statement's. Returns false, appending nothing, when the statement is done.
    public func step(into rows: inout PackedRows) throws(SQLiteError) -> Bool {
        guard try advance() else { return false }
        let columns = sqlite3_column_count(handle)
        precondition(Int(columns) == rows.columns, "packed rows of \(rows.columns) columns for \(columns)")
        for column in 0..<columns {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: rows.append(.integer, integer: sqlite3_column_int64(handle, column))
            case SQLITE_NULL: rows.append(.null)
            case SQLITE_BLOB:
                let pointer = sqlite3_column_blob(handle, column)
                rows.append(.blob, bytes: pointer, count: Int(sqlite3_column_bytes(handle, column)))
            default:
                // Text, and a real number as SQLite writes it, like `step()`.
                let pointer = sqlite3_column_text(handle, column)
                rows.append(.text, bytes: pointer, count: Int(sqlite3_column_bytes(handle, column)))
            }
        }
        return true
    }

    /// Steps the statement and returns true at a row, or false when it is done and reset.
    private func advance() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        default:
            let error = database.error(status, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Advances to the next row; nil when the statement is done.
    public func step() throws(SQLiteError) -> Row? {
        guard try advance() else { return nil }
        let columns = sqlite3_column_count(handle)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(columns))
        for column in 0..<columns {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_TEXT:
                // The length SQLite reports, not a search for NUL, so that text with an
                // embedded NUL is read whole.
                let text = sqlite3_column_text(handle, column)
                let count = Int(sqlite3_column_bytes(handle, column))
                values.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, column))
                if count == 0 {
                    values.append(.blob([]))
                } else {
                    let pointer = sqlite3_column_blob(handle, column)!
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: count))))
                }
            case SQLITE_NULL: values.append(.null)
            default: values.append(.text(String(cString: sqlite3_column_text(handle, column))))
            }
        }
        return Row(values: values)
    }
}
