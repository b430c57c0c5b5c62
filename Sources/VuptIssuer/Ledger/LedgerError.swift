import VuptSQLite

/// Errors from the issuance ledger.
public enum LedgerError: Error, Equatable, Sendable {
    /// Another process held the write lock past the busy timeout on every attempt.
    case busy(path: String, waitedMilliseconds: Int)
    case cannotOpen(path: String, reason: String)
    /// The file exists but is not a Vupt ledger.
    case notALedger(path: String, reason: String)
    /// The ledger was written by a newer build with migrations this build does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The ledger's contents no longer match its newest signed checkpoint.
    case damaged(path: String, reason: String)
    case licenseNotFound(serial: String)
    /// The file is read-only but the operation writes.
    case readOnly(path: String)
    case sqlite(SQLiteError)
}

extension LedgerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .busy(path, waited):
            return "ledger \(path) is busy: another process held the write lock for \(waited) ms; try again"
        case let .cannotOpen(path, reason):
            return "cannot open ledger \(path): \(reason); pass --ledger FILE or set VUPT_LEDGER"
        case let .notALedger(path, reason): return "\(path) is not a Vupt ledger: \(reason)"
        case let .damaged(path, reason):
            return "ledger \(path) does not match its signed checkpoint: \(reason); nothing was written; "
                + "run 'vupt-issuer ledger verify' to find the change"
        case let .newerSchema(path, found, supported):
            return "ledger \(path) has schema version \(found), newer than this build's \(supported); "
                + "upgrade vupt-issuer"
        case .licenseNotFound(let serial): return "license \(serial) not found in the ledger"
        case .readOnly(let path): return "ledger \(path) is read-only"
        case .sqlite(let error): return "ledger error: \(error)"
        }
    }
}
