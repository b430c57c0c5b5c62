/// Ordered schema migrations. Each runs once, in one transaction, and is recorded in
/// `schema_migrations`; `PRAGMA user_version` stores the number of the last one applied.
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

            -- Settings fixed when the ledger is created, such as the log's origin name.
            CREATE TABLE ledger_info (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            -- Every event, in order. entry_bytes are the exact bytes whose RFC 6962 leaf
            -- hash is leaf_hash; docs/LEDGER.md defines them.
            CREATE TABLE ledger_entries (
                entry_index INTEGER PRIMARY KEY CHECK (entry_index >= 0),
                kind TEXT NOT NULL CHECK (kind IN
                    ('key-registered', 'license-minted', 'license-renewed', 'license-revoked',
                     'revocation-list-issued')),
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
            CREATE INDEX licenses_subscription ON licenses (subscription_id, sequence);
            CREATE INDEX licenses_supersedes ON licenses (supersedes);

            CREATE TABLE revocations (
                serial TEXT PRIMARY KEY REFERENCES licenses (serial),
                entry_index INTEGER NOT NULL UNIQUE REFERENCES ledger_entries (entry_index),
                reason TEXT NOT NULL,
                revoked_at TEXT NOT NULL,
                operator TEXT NOT NULL
            ) STRICT;

            -- Every revocation list minted; its number only ever increases.
            CREATE TABLE revocation_lists (
                number INTEGER PRIMARY KEY CHECK (number >= 1),
                entry_index INTEGER NOT NULL UNIQUE REFERENCES ledger_entries (entry_index),
                issued_at TEXT NOT NULL,
                key_id TEXT NOT NULL REFERENCES signing_keys (key_id),
                token TEXT NOT NULL
            ) STRICT;

            -- Interior nodes of the RFC 6962 Merkle tree over ledger_entries: node (level,
            -- position) is the hash of the complete subtree over leaves
            -- [position * 2^level, (position + 1) * 2^level). Level 0 is not stored here;
            -- it is ledger_entries.leaf_hash.
            CREATE TABLE merkle_nodes (
                level INTEGER NOT NULL CHECK (level >= 1),
                position INTEGER NOT NULL CHECK (position >= 0),
                hash BLOB NOT NULL CHECK (length(hash) = 32),
                PRIMARY KEY (level, position)
            ) STRICT, WITHOUT ROWID;

            -- A signed checkpoint after every committed write.
            CREATE TABLE checkpoints (
                tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 1),
                root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
                key_id TEXT NOT NULL REFERENCES signing_keys (key_id),
                signed_note TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;

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
            CREATE TRIGGER revocations_no_update BEFORE UPDATE ON revocations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: revocations cannot be updated'); END;
            CREATE TRIGGER revocations_no_delete BEFORE DELETE ON revocations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: revocations cannot be deleted'); END;
            CREATE TRIGGER revocation_lists_no_update BEFORE UPDATE ON revocation_lists
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: revocation_lists cannot be updated'); END;
            CREATE TRIGGER revocation_lists_no_delete BEFORE DELETE ON revocation_lists
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: revocation_lists cannot be deleted'); END;
            CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: merkle_nodes cannot be updated'); END;
            CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: merkle_nodes cannot be deleted'); END;
            CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: checkpoints cannot be updated'); END;
            CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: checkpoints cannot be deleted'); END;
            CREATE TRIGGER ledger_info_no_update BEFORE UPDATE ON ledger_info
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ledger_info cannot be updated'); END;
            CREATE TRIGGER ledger_info_no_delete BEFORE DELETE ON ledger_info
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ledger_info cannot be deleted'); END;
            CREATE TRIGGER schema_migrations_no_update BEFORE UPDATE ON schema_migrations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: schema_migrations cannot be updated'); END;
            CREATE TRIGGER schema_migrations_no_delete BEFORE DELETE ON schema_migrations
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: schema_migrations cannot be deleted'); END;
            """),
    ]

    static var latestVersion: Int { migrations.last!.version }
}
