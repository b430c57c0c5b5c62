#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT handling for batch commands: Ctrl-C sets a flag that the batch checks between
/// renewals, so it can roll back instead of dying mid-transaction.
enum Interrupt {
    private static let requested = Atomic<Bool>(false)

    static func install() {
        signal(SIGINT) { _ in Interrupt.requested.store(true, ordering: .relaxed) }
    }

    static var wasRequested: Bool { requested.load(ordering: .relaxed) }

    /// Ignores SIGINT while files are written after the commit, so that every renewal in the
    /// ledger also reaches its file.
    static func ignore() {
        signal(SIGINT, SIG_IGN)
    }
}

/// The batch was interrupted before its commit.
struct InterruptedError: Error {}
