import Foundation
import Testing
import VuptTestSupport

/// Values appended from several threads.
final class ConcurrentLog<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value] = []

    func append(_ value: Value) {
        lock.lock()
        defer { lock.unlock() }
        storage.append(value)
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// Several `vupt-issuer mint` processes writing one ledger at once, audited while they run.
///
/// Every mint process unlocks the test key with Argon2id (about 0.7 s of CPU), and the
/// tool rejects key files with weaker parameters, so a local run is 4 workers × 25 mints.
/// Under CI, or with `VUPT_LONG_TESTS=1`, it is 4 × 100.
@Suite(.serialized) struct LedgerConcurrencyTests {
    struct MintOutcome: Sendable {
        let worker: Int
        let number: Int
        let exitCode: Int32
        let standardOutput: String
        let standardError: String

        /// The serial from the first output line, `issued VUPT-… to …`.
        var serial: String? {
            let words = standardOutput.split(separator: " ")
            guard words.count > 1, words[0] == "issued" else { return nil }
            return String(words[1])
        }
    }

    static let workers = 4
    static var mintsPerWorker: Int {
        ProcessInfo.processInfo.environment["VUPT_LONG_TESTS"] == "1" || TestSupport.isCI ? 100 : 25
    }
    /// An upper bound for one worker's whole run, far above the expected time.
    static let workerTimeout: TimeInterval = 900

    static func serial(_ number: Int) -> String {
        "VUPT-" + String(repeating: "0", count: max(0, 8 - String(number).count)) + String(number)
    }

    /// Runs `mintsPerWorker` mints in each of `workers` threads, one process at a time per
    /// thread, and calls `progress` on the calling thread after each completed mint.
    static func mintConcurrently(
        in workspace: Workspace, mintsPerWorker: Int, progress: (Int) -> Void = { _ in }
    ) -> [MintOutcome] {
        let outcomes = ConcurrentLog<MintOutcome>()
        let completed = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for worker in 0..<workers {
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                for number in 0..<mintsPerWorker {
                    let name = "w\(worker)-\(number)"
                    let outcome: MintOutcome
                    do {
                        let result = try workspace.issuer(
                            ["mint", "--key", Workspace.testSecretKeyPath, "--customer", "customer-\(name)",
                             "--customer-name", "Worker \(worker)", "--tier", "business", "--seats", "5",
                             "--ledger", workspace.ledgerPath, "--out", workspace.path("\(name).lic"),
                             "--at", Workspace.issuedAt])
                        outcome = MintOutcome(
                            worker: worker, number: number, exitCode: result.exitCode,
                            standardOutput: result.standardOutput, standardError: result.standardError)
                    } catch {
                        outcome = MintOutcome(
                            worker: worker, number: number, exitCode: -1, standardOutput: "",
                            standardError: "could not start vupt-issuer: \(error)")
                    }
                    outcomes.append(outcome)
                    completed.signal()
                }
            }
            thread.start()
        }

        let total = workers * mintsPerWorker
        for done in 1...total {
            guard completed.wait(timeout: .now() + workerTimeout) == .success else {
                Issue.record("mint \(done) of \(total) did not finish within \(Int(workerTimeout)) s")
                break
            }
            progress(done)
        }
        if finished.wait(timeout: .now() + workerTimeout) == .timedOut {
            Issue.record("the mint workers did not finish within \(Int(workerTimeout)) s")
        }
        return outcomes.values
    }

    /// Runs `ledger verify --json` with the test public key.
    static func audit(_ workspace: Workspace) throws -> (exitCode: Int32, report: [String: Any]?) {
        let result = try workspace.issuer(
            ["ledger", "verify", "--ledger", workspace.ledgerPath, "--public-key", Workspace.testPublicKeyPath, "--json"])
        return (result.exitCode, jsonObject(result.standardOutput))
    }

    @Test func concurrentMintsKeepLedgerIntact() throws {
        let workspace = try Workspace("concurrent-mints")
        defer { workspace.remove() }
        // The first mint creates the ledger, so every audit below has a file to read.
        let first = try workspace.mint(out: "first.lic")
        try #require(first.exitCode == 0, "first mint: \(first.standardError)")

        let perWorker = Self.mintsPerWorker
        let total = Self.workers * perWorker
        // About eight audits spread over the run, each while the workers keep writing.
        let auditEvery = max(1, total / 8)
        var audits: [(afterMints: Int, exitCode: Int32, intact: Bool?)] = []
        let outcomes = Self.mintConcurrently(in: workspace, mintsPerWorker: perWorker) { done in
            guard done % auditEvery == 0, done < total, let audit = try? Self.audit(workspace) else { return }
            audits.append((done, audit.exitCode, audit.report?["intact"] as? Bool))
        }

        #expect(outcomes.count == total)
        for outcome in outcomes {
            #expect(
                outcome.exitCode == 0, "worker \(outcome.worker) mint \(outcome.number): \(outcome.standardError)")
        }
        #expect(audits.count >= 4)
        for audit in audits {
            #expect(audit.exitCode == 0, "audit after \(audit.afterMints) mints")
            #expect(audit.intact == true, "audit after \(audit.afterMints) mints")
        }

        let printed = outcomes.compactMap(\.serial)
        #expect(printed.count == total)
        #expect(Set(printed).count == printed.count)
        let rows = try #require(try workspace.ledgerRows())
        let serials = rows.compactMap { $0["serial"] as? String }
        #expect(serials == (1...(total + 1)).map(Self.serial))
        #expect(Set(printed).isSubset(of: Set(serials)))
        let entryIndexes = rows.compactMap { $0["entryIndex"] as? Int }
        // Entry 0 registers the key, then one entry per mint.
        #expect(entryIndexes == Array(1...(total + 1)))

        let final = try Self.audit(workspace)
        #expect(final.exitCode == 0)
        #expect(final.report?["intact"] as? Bool == true)
        #expect(final.report?["entries"] as? Int == total + 2)
        #expect(final.report?["licenses"] as? Int == total + 1)
        // One signed checkpoint per write transaction: one per mint.
        #expect(final.report?["checkpoints"] as? Int == total + 1)
    }

    @Test func concurrentFirstMintsCreateOneLedger() throws {
        let workspace = try Workspace("concurrent-create")
        defer { workspace.remove() }
        // Four processes find no ledger and create it at the same time.
        let outcomes = Self.mintConcurrently(in: workspace, mintsPerWorker: 1)

        for outcome in outcomes {
            #expect(outcome.exitCode == 0, "worker \(outcome.worker): \(outcome.standardError)")
        }
        #expect(Set(outcomes.compactMap(\.serial)) == Set((1...Self.workers).map(Self.serial)))
        let final = try Self.audit(workspace)
        #expect(final.exitCode == 0)
        #expect(final.report?["intact"] as? Bool == true)
        #expect(final.report?["checkpoints"] as? Int == Self.workers)
    }
}
