/// Ordered schema migrations. Each runs once, in one transaction, and is recorded in
/// `schema_migrations`; `PRAGMA user_version` holds the number of the last one applied.
enum LedgerSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "issuance ledger", sql: """
            CREATE TABLE schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            ) STRICT;

            -- Every event, in order. entry_bytes are the exact bytes whose RFC 6962 leaf
            -- hash is leaf_hash; docs/LEDGER.md defines them.
            CREATE TABLE ledger_entries (
                entry_index INTEGER PRIMARY KEY CHECK (entry_index >= 0),
                kind TEXT NOT NULL CHECK (kind IN
                    ('key-registered', 'license-minted', 'license-renewed', 'license-revoked')),
                recorded_at TEXT NOT NULL,
                operator TEXT NOT NULL,
                entry_bytes BLOB NOT NULL,
                leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
            ) STRICT;

            CREATE TABLE signing_keys (
                key_id TEXT PRIMARY KEY,
                public_key TEXT NOT NULL UNIQUE,
                entry_index INTEGER NOT NULL UNIQUE REFERENCES ledger_entries (entry_index)
            ) STRICT;

            CREATE TABLE licenses (
                serial TEXT PRIMARY KEY,
                serial_number INTEGER NOT NULL UNIQUE CHECK (serial_number >= 1),
                entry_index INTEGER NOT NULL UNIQUE REFERENCES ledger_entries (entry_index),
                subscription_id TEXT NOT NULL,
                sequence INTEGER NOT NULL CHECK (sequence >= 1),
                supersedes TEXT REFERENCES licenses (serial),
                customer_id TEXT NOT NULL,
                customer_name TEXT NOT NULL,
                tier TEXT NOT NULL CHECK (tier IN ('business', 'enterprise')),
                seats INTEGER NOT NULL CHECK (seats >= 1),
                features TEXT NOT NULL,
                installation_id TEXT,
                issued_at TEXT NOT NULL,
                not_before TEXT NOT NULL,
                not_after TEXT NOT NULL,
                grace_days INTEGER NOT NULL,
                key_id TEXT NOT NULL REFERENCES signing_keys (key_id),
                operator TEXT NOT NULL,
                token TEXT NOT NULL,
                UNIQUE (subscription_id, sequence)
            ) STRICT;
            CREATE INDEX licenses_customer ON licenses (customer_id);
            CREATE INDEX licenses_not_after ON licenses (not_after);

            -- Append-only: history is never rewritten, only extended.
            CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ledger_entries cannot be updated'); END;
            CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ledger_entries cannot be deleted'); END;
            CREATE TRIGGER signing_keys_no_update BEFORE UPDATE ON signing_keys
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: signing_keys cannot be updated'); END;
            CREATE TRIGGER signing_keys_no_delete BEFORE DELETE ON signing_keys
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: signing_keys cannot be deleted'); END;
            CREATE TRIGGER licenses_no_update BEFORE UPDATE ON licenses
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: licenses cannot be updated'); END;
            CREATE TRIGGER licenses_no_delete BEFORE DELETE ON licenses
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: licenses cannot be deleted'); END;
            CREATE TRIGGER schema_migrations_no_update BEFORE UPDATE ON schema_migrations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: schema_migrations cannot be updated'); END;
            CREATE TRIGGER schema_migrations_no_delete BEFORE DELETE ON schema_migrations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: schema_migrations cannot be deleted'); END;
            """),
    ]

    static var latestVersion: Int { migrations.last!.version }
}
