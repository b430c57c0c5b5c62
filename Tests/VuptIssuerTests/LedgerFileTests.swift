import Foundation
import Testing
import VuptIssuer
import VuptSQLite
import VuptTestSupport
import VuptVerifier

/// The ledger's SQLite file: schema version, journal mode, append-only triggers, and
/// files that are not ledgers. A second connection opened with `VuptSQLite.Database`
/// plays the part of someone editing the file by hand.
@Suite struct LedgerFileTests {
    /// Creates a ledger with a registered key and two minted licenses, so every table has rows.
    func populatedLedger() throws -> (LedgerFixture, Ledger) {
        let fixture = try LedgerFixture()
        let ledger = try fixture.open()
        for customer in ["acme-corp", "globex"] {
            _ = try ledger.mint(
                LedgerFixture.request(customerID: customer), key: fixture.key, operatorName: "alice",
                now: LedgerFixture.now)
        }
        return (fixture, ledger)
    }

    func count(_ table: String, in database: Database) throws -> Int64? {
        try database.query("SELECT count(*) FROM \(table)").first?.integer(0)
    }

    // MARK: Schema and settings

    @Test func schemaVersionIsOne() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        _ = try fixture.open()

        let database = try Database(path: fixture.path)
        #expect(try database.query("PRAGMA user_version").first?.integer(0) == 1)
        #expect(try database.query("SELECT version, name FROM schema_migrations").map(\.values) == [
            [.integer(1), .text("issuance ledger")],
        ])
    }

    @Test func journalModeIsWAL() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        _ = try fixture.open()

        let database = try Database(path: fixture.path)
        #expect(try database.query("PRAGMA journal_mode").first?.text(0) == "wal")
    }

    @Test func ledgerFileIsCreated() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        #expect(!FileManager.default.fileExists(atPath: fixture.path))

        _ = try fixture.open()

        #expect(FileManager.default.fileExists(atPath: fixture.path))
    }

    @Test func reopeningKeepsSchemaVersion() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        _ = try fixture.open()
        _ = try fixture.open()

        let database = try Database(path: fixture.path)
        #expect(try database.query("PRAGMA user_version").first?.integer(0) == 1)
        #expect(try count("schema_migrations", in: database) == 1)
    }

    // MARK: Append-only

    @Test(arguments: [
        "UPDATE licenses SET seats = 999",
        "UPDATE licenses SET token = 'x' WHERE serial = 'VUPT-00000001'",
        "DELETE FROM licenses",
        "DELETE FROM licenses WHERE serial = 'VUPT-00000002'",
        "UPDATE ledger_entries SET operator = 'mallory'",
        "DELETE FROM ledger_entries",
        "DELETE FROM ledger_entries WHERE entry_index = 2",
        "UPDATE signing_keys SET public_key = 'x'",
        "DELETE FROM signing_keys",
        "UPDATE schema_migrations SET name = 'x'",
        "DELETE FROM schema_migrations",
    ])
    func changingHistoryAborts(statement: String) throws {
        let (fixture, _) = try populatedLedger()
        defer { fixture.remove() }
        let database = try Database(path: fixture.path)

        let error = #expect(throws: SQLiteError.self) { try database.run(statement) }

        #expect(error?.isConstraint == true, "\(String(describing: error))")
        #expect(error?.message.contains("the ledger is append-only") == true, "\(String(describing: error))")
        #expect(try count("licenses", in: database) == 2)
        #expect(try count("ledger_entries", in: database) == 3)
        #expect(try count("signing_keys", in: database) == 1)
        #expect(try database.query("SELECT DISTINCT operator FROM ledger_entries").map { $0.text(0) } == ["alice"])
        #expect(try database.query("SELECT DISTINCT seats FROM licenses").map { $0.integer(0) } == [10])
    }

    @Test func storedTokensUnchangedAfterRejectedUpdate() throws {
        let (fixture, ledger) = try populatedLedger()
        defer { fixture.remove() }
        let before = try ledger.licenses().map(\.token)
        let database = try Database(path: fixture.path)

        #expect(throws: SQLiteError.self) { try database.run("UPDATE licenses SET token = 'v4.public.x'") }

        #expect(try ledger.licenses().map(\.token) == before)
    }

    @Test func appendingStillWorksAfterRejectedDelete() throws {
        let (fixture, ledger) = try populatedLedger()
        defer { fixture.remove() }
        let database = try Database(path: fixture.path)
        #expect(throws: SQLiteError.self) { try database.run("DELETE FROM licenses") }

        let issued = try ledger.mint(LedgerFixture.request(), key: fixture.key, operatorName: "alice", now: LedgerFixture.now)

        #expect(issued.serial == "VUPT-00000003")
    }

    // MARK: Files that are not ledgers

    @Test func textFileIsNotALedger() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let text = String(repeating: "This is a plain text file, not an SQLite database.\n", count: 200)
        try text.write(toFile: fixture.path, atomically: false, encoding: .utf8)

        let error = #expect(throws: LedgerError.self) { try fixture.open() }

        guard case .notALedger(let path, _)? = error else {
            Issue.record("expected notALedger, got \(String(describing: error))")
            return
        }
        #expect(path == fixture.path)
        #expect(try String(contentsOfFile: fixture.path, encoding: .utf8) == text)
    }

    @Test func otherSQLiteDatabaseIsNotALedger() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        do {
            let database = try Database(path: fixture.path)
            try database.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        }

        let error = #expect(throws: LedgerError.self) { try fixture.open() }

        #expect(error == .notALedger(path: fixture.path, reason: "it holds other tables"))
    }

    @Test func missingFileForReadingCannotOpen() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }

        #expect(throws: LedgerError.cannotOpen(path: fixture.path, reason: "file not found")) {
            try Ledger(path: fixture.path, readOnly: true)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.path))
    }

    @Test func emptyDatabaseForReadingIsNotALedger() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        do {
            let database = try Database(path: fixture.path)
            try database.execute("PRAGMA user_version = 0; CREATE TABLE t (x); DROP TABLE t")
        }

        #expect(throws: LedgerError.notALedger(path: fixture.path, reason: "it has no ledger schema")) {
            try Ledger(path: fixture.path, readOnly: true)
        }
    }

    @Test func newerSchemaRejected() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        _ = try fixture.open()
        do {
            let database = try Database(path: fixture.path)
            try database.execute("PRAGMA user_version = 2")
        }

        #expect(throws: LedgerError.newerSchema(path: fixture.path, found: 2, supported: 1)) {
            try fixture.open()
        }
    }
}
