#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptTestSupport
import VuptVerifier

/// `vupt-issuer renew --due-within` killed with SIGKILL at points across its run: before
/// the key is unlocked, inside the ledger transaction, after the commit but before the
/// first license file, and part-way through the files. After every kill the ledger must
/// audit as intact, hold either all renewals of the batch or none, and every license file
/// on disk must name a serial the ledger holds.
@Suite(.serialized) struct BatchCrashTests {
    /// Where a run is killed. Each run picks its own random offset within the phase.
    enum KillPoint: CustomStringConvertible {
        /// Right after the process starts, before the key is unlocked.
        case atLaunch
        /// While the renewer holds the ledger's write lock, after `extraProbes` more
        /// lock probes (about 2 ms apart) have found it still held. When the commit comes
        /// first, the kill follows the commit.
        case inTransaction(extraProbes: Int)
        /// After the commit, paused by the test hook just before the first file's rename.
        case beforeFirstRename
        /// After `files` license files of this run exist.
        case afterFiles(Int)

        var description: String {
            switch self {
            case .atLaunch: return "at launch"
            case .inTransaction(let probes): return "inside the transaction after \(probes) extra probes"
            case .beforeFirstRename: return "before the first rename"
            case .afterFiles(let files): return "after \(files) files"
            }
        }
    }

    static let licenseCount = 200
    /// Start of every prepared license's one-month term.
    static let termStart = "2026-01-01T00:00:00Z"
    /// The renewal time of every run. With --due-within 3660 each run renews the newest
    /// license of all 200 subscriptions, so runs after a committed one still find work.
    static let renewedAt = "2026-01-20T00:00:00Z"
    /// An upper bound for any single wait on the renewer, far above the expected time.
    static let waitLimit: TimeInterval = 120

    /// Mints the licenses through the library, unlocking the test key once, so the
    /// preparation costs one Argon2id unlock instead of 200.
    static func prepareLedger(_ workspace: Workspace) throws {
        var passphrase = Array(Workspace.testPassphrase.utf8)
        let key = try SigningKeyFile.unlock(
            path: Workspace.testSecretKeyPath, passphrase: try SecureBytes(consuming: &passphrase))
        let start = try #require(Timestamp(rfc3339UTC: termStart))
        let ledger = try Ledger(path: workspace.ledgerPath)
        for number in 1...licenseCount {
            let request = LicenseRequest(
                customerID: "customer-\(number)", customerName: "Customer \(number)", tier: .business, seats: 5,
                months: 1, notBefore: start)
            _ = try ledger.mint(request, key: key, operatorName: "e2e-test", now: start)
        }
    }

    /// Starts a batch renewal without waiting for it; its standard error goes to a file.
    static func startRenewal(_ workspace: Workspace, outDirectory: String, environment extra: [String: String] = [:]) throws
        -> Process
    {
        let process = Process()
        process.executableURL = TestSupport.binaryDirectory.appendingPathComponent("vupt-issuer")
        process.arguments = [
            "renew", "--due-within", "3660", "--months", "1", "--key", Workspace.testSecretKeyPath,
            "--out-dir", outDirectory, "--ledger", workspace.ledgerPath, "--at", renewedAt,
        ]
        var environment = workspace.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
        environment["VUPT_ISSUER_PASSPHRASE"] = Workspace.testPassphrase
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errorPath = workspace.path("renew-stderr.txt")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        return process
    }

    /// License files in `folder`, without the hidden temporary files of atomic writes.
    static func licenseFiles(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".lic") && !$0.hasPrefix(".") }.sorted()
    }

    /// Polls `condition` about every 2 ms until it holds, the process ends, or the wait
    /// limit passes. Returns whether the condition held.
    static func waitFor(_ process: Process, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(waitLimit)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            usleep(2_000)
        }
        return false
    }

    /// Waits until the renewer holds the write lock, probing with `BEGIN IMMEDIATE` and no
    /// busy timeout, then for `extraProbes` more probes that still find it held, or for
    /// the first probe after the lock is released.
    static func waitForTransaction(_ process: Process, ledgerPath: String, extraProbes: Int) throws -> Bool {
        let probe = try Database(path: ledgerPath, create: false)
        probe.setBusyTimeout(milliseconds: 0)
        var busyProbes = 0
        return waitFor(process) {
            do {
                try probe.execute("BEGIN IMMEDIATE")
                try probe.execute("ROLLBACK")
                return busyProbes > 0
            } catch let error as SQLiteError where error.isBusy {
                busyProbes += 1
                return busyProbes > extraProbes
            } catch {
                Issue.record("lock probe failed: \(error)")
                return true
            }
        }
    }

    /// Kills the renewal at `point`. Returns false when it finished before that point.
    static func killRenewal(_ process: Process, at point: KillPoint, ledgerPath: String, outDirectory: String, marker: String)
        throws -> Bool
    {
        let filesBefore = licenseFiles(outDirectory).count
        let reached: Bool
        switch point {
        case .atLaunch:
            reached = true
        case .inTransaction(let extraProbes):
            reached = try waitForTransaction(process, ledgerPath: ledgerPath, extraProbes: extraProbes)
        case .beforeFirstRename:
            reached = waitFor(process) { FileManager.default.fileExists(atPath: marker) }
        case .afterFiles(let files):
            reached = waitFor(process) { licenseFiles(outDirectory).count - filesBefore >= files }
        }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return reached && process.terminationReason == .uncaughtSignal
    }

    /// The state a run leaves: audit result, entry and checkpoint counts, and serials.
    struct LedgerState {
        let exitCode: Int32
        let intact: Bool?
        let entries: Int?
        let checkpoints: Int?
        let serials: Set<String>
    }

    static func state(_ workspace: Workspace) throws -> LedgerState {
        let audit = try LedgerConcurrencyTests.audit(workspace)
        let rows = try workspace.ledgerRows() ?? []
        return LedgerState(
            exitCode: audit.exitCode, intact: audit.report?["intact"] as? Bool,
            entries: audit.report?["entries"] as? Int, checkpoints: audit.report?["checkpoints"] as? Int,
            serials: Set(rows.compactMap { $0["serial"] as? String }))
    }

    /// Reads the serial a license file names in its file name and in its `# Serial:`
    /// line, and whether the file holds a complete license block.
    static func serials(ofFile name: String, in folder: String) -> (fromName: String, fromText: String?, complete: Bool) {
        let stem = name.dropLast(".lic".count).split(separator: "-")
        let fromName = stem.suffix(2).joined(separator: "-")
        let text = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
        let serialLine = text.split(separator: "\n").first { $0.hasPrefix("# Serial:") }
        let fromText = serialLine.map { $0.dropFirst("# Serial:".count).trimmingCharacters(in: .whitespaces) }
        return (fromName, fromText, armoredTokenLines(text) != nil)
    }

    @Test func killedBatchLeavesLedgerIntact() throws {
        let workspace = try Workspace("batch-crash")
        defer { workspace.remove() }
        try Self.prepareLedger(workspace)
        let outDirectory = workspace.path("renewals")
        let marker = workspace.path("paused")
        let initial = try Self.state(workspace)
        try #require(initial.intact == true, "the prepared ledger does not audit as intact")
        try #require(initial.serials.count == Self.licenseCount)

        let points: [KillPoint] = (0..<2).flatMap { _ in
            [
                .atLaunch, .inTransaction(extraProbes: Int.random(in: 0...10)), .beforeFirstRename,
                .afterFiles(Int.random(in: 1...Self.licenseCount / 2)),
            ]
        }
        var previous = initial
        for (run, point) in points.enumerated() {
            let label = "run \(run + 1), killed \(point)"
            try? FileManager.default.removeItem(atPath: marker)
            var hook: [String: String] = [:]
            if case .beforeFirstRename = point {
                hook = ["VUPT_TEST_PAUSE_AT": "atomic-write-before-rename", "VUPT_TEST_PAUSE_MARKER": marker]
            }
            let filesBefore = Self.licenseFiles(outDirectory).count
            let process = try Self.startRenewal(workspace, outDirectory: outDirectory, environment: hook)
            let killed = try Self.killRenewal(
                process, at: point, ledgerPath: workspace.ledgerPath, outDirectory: outDirectory, marker: marker)
            let after = try Self.state(workspace)
            let newFiles = Self.licenseFiles(outDirectory).count - filesBefore

            #expect(killed, "\(label): the run ended before the kill point")
            #expect(after.exitCode == 0, "\(label): ledger verify exit code")
            #expect(after.intact == true, "\(label): ledger verify")
            let grown = (after.entries ?? -1) - (previous.entries ?? 0)
            #expect(grown == 0 || grown == Self.licenseCount, "\(label): \(grown) entries added")
            if grown == 0 {
                #expect(after.checkpoints == previous.checkpoints, "\(label): checkpoint added without entries")
                #expect(newFiles == 0, "\(label): \(newFiles) files written without a commit")
            } else {
                #expect(after.checkpoints == (previous.checkpoints ?? 0) + 1, "\(label): checkpoints of one batch")
            }
            if case .beforeFirstRename = point {
                #expect(grown == Self.licenseCount, "\(label): the batch was not committed")
                #expect(newFiles == 0, "\(label): a file was renamed into place")
            }
            for name in Self.licenseFiles(outDirectory) {
                let file = Self.serials(ofFile: name, in: outDirectory)
                #expect(after.serials.contains(file.fromName), "\(label): \(name) names a serial the ledger lacks")
                #expect(file.fromText == file.fromName, "\(label): \(name) has serial line \(file.fromText ?? "none")")
                #expect(file.complete, "\(label): \(name) has no complete license block")
            }
            previous = after
        }

        // A run left alone renews every subscription and writes every file.
        let filesBefore = Self.licenseFiles(outDirectory).count
        let process = try Self.startRenewal(workspace, outDirectory: outDirectory)
        process.waitUntilExit()
        let final = try Self.state(workspace)
        let errors = (try? String(contentsOfFile: workspace.path("renew-stderr.txt"), encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "final run: \(errors)")
        #expect(Self.licenseFiles(outDirectory).count - filesBefore == Self.licenseCount)
        #expect(final.intact == true)
        #expect(final.entries == (previous.entries ?? 0) + Self.licenseCount)
    }
}
