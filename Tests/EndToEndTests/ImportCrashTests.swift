#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VuptTestSupport

/// `vupt-license import` killed with SIGKILL part-way through. docs/STORE.md promises that
/// each rename moves the store from one consistent state to the next, so after any kill
/// the store must hold the old state or the new one, never a mix, and no temp file under
/// a visible name. The next import removes the dot-named temp files a kill left behind.
@Suite(.serialized) struct ImportCrashTests {
    /// The store as `status --json` reports it: the role of each license by serial, and
    /// the number of the installed revocation list.
    struct StoreState: Equatable, CustomStringConvertible {
        var roles: [String: String]
        var revocationList: Int?

        var description: String {
            let licenses = roles.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return "[\(licenses.joined(separator: ", "))], revocation list \(revocationList.map(String.init) ?? "none")"
        }
    }

    /// One import paused at a test hook and killed there.
    struct PausedImport: CustomStringConvertible {
        let name: String
        /// Files imported, without a pause, before the killed import.
        let installedFirst: [String]
        let imported: String
        /// The `VUPT_TEST_PAUSE_AT` point.
        let point: String
        /// The state right after the kill.
        let killedState: StoreState
        /// The temp file the kill leaves, relative to the store, up to its random suffix.
        let leftoverPrefix: String?
        /// The states accepted once a second import of the same file has finished.
        let finalStates: [StoreState]

        var description: String { name }
    }

    /// Serials in the shared ledger, in minting order.
    static let first = "VUPT-00000001"
    static let renewal = "VUPT-00000002"
    static let otherCurrent = "VUPT-00000003"
    static let otherPending = "VUPT-00000004"

    /// The upper bound for the wait for a pause marker, polled every 10 ms.
    static let markerWaitLimit = 2_000

    /// Mints the artifacts of the scenarios, at times relative to the host clock:
    /// - `first.lic`: one month from 45 days ago, now in its grace period.
    /// - `renewal.lic`: its renewal, made 20 days ago, so its term has started.
    /// - `other-current.lic`: twelve months from 10 days ago, another subscription.
    /// - `other-pending.lic`: its renewal, made 5 days ago, which starts in about a year.
    /// - `list.rvl`: revocation list 1, which revokes nothing.
    static func mintArtifacts(_ workspace: StoreWorkspace) throws {
        let steps: [(name: String, run: () throws -> TestSupport.ProcessResult)] = [
            ("first.lic", {
                try workspace.mint(customer: "acme-001", out: "first.lic", issuedAt: workspace.time(days: -45), months: 1)
            }),
            ("renewal.lic", { try workspace.renew(first, out: "renewal.lic", renewedAt: workspace.time(days: -20)) }),
            ("other-current.lic", {
                try workspace.mint(customer: "globex-002", out: "other-current.lic", issuedAt: workspace.time(days: -10))
            }),
            ("other-pending.lic", {
                try workspace.renew(otherCurrent, out: "other-pending.lic", renewedAt: workspace.time(days: -5))
            }),
            ("list.rvl", { try workspace.revocations(out: "list.rvl", at: workspace.time(days: -1)) }),
        ]
        for step in steps {
            let result = try step.run()
            try #require(result.exitCode == 0, "minting \(step.name) failed: \(result.standardError)")
        }
    }

    static func pausedImports() -> [PausedImport] {
        let firstActive = StoreState(roles: [first: "active"], revocationList: nil)
        let renewalActive = StoreState(roles: [renewal: "active"], revocationList: nil)
        // The renewal's file is in place but the older file was not removed yet. Roles are
        // derived from the files, so this is already the new state.
        let renewalBesideFirst = StoreState(roles: [renewal: "active", first: "superseded"], revocationList: nil)
        let otherCurrentActive = StoreState(roles: [otherCurrent: "active"], revocationList: nil)
        let otherWithPending = StoreState(roles: [otherCurrent: "active", otherPending: "pending"], revocationList: nil)
        return [
            PausedImport(
                name: "first license, before rename", installedFirst: [], imported: "first.lic",
                point: "atomic-write-before-rename", killedState: StoreState(roles: [:], revocationList: nil),
                leftoverPrefix: "licenses/.\(first).lic.tmp-", finalStates: [firstActive]),
            PausedImport(
                name: "renewal, before rename", installedFirst: ["first.lic"], imported: "renewal.lic",
                point: "atomic-write-before-rename", killedState: firstActive,
                leftoverPrefix: "licenses/.\(renewal).lic.tmp-", finalStates: [renewalActive]),
            PausedImport(
                name: "renewal, before cleanup", installedFirst: ["first.lic"], imported: "renewal.lic",
                point: "import-before-cleanup", killedState: renewalBesideFirst, leftoverPrefix: nil,
                finalStates: [renewalActive, renewalBesideFirst]),
            PausedImport(
                name: "pending renewal, before rename", installedFirst: ["other-current.lic"],
                imported: "other-pending.lic", point: "atomic-write-before-rename", killedState: otherCurrentActive,
                leftoverPrefix: "licenses/.\(otherPending).lic.tmp-", finalStates: [otherWithPending]),
            PausedImport(
                name: "revocation list, before rename", installedFirst: ["first.lic"], imported: "list.rvl",
                point: "atomic-write-before-rename", killedState: firstActive,
                leftoverPrefix: ".revocations.rvl.tmp-",
                finalStates: [StoreState(roles: [first: "active"], revocationList: 1)]),
            // Nothing new to install, so the first atomic write is the rollback state's.
            PausedImport(
                name: "already installed, rollback state before rename", installedFirst: ["first.lic"],
                imported: "first.lic", point: "atomic-write-before-rename", killedState: firstActive,
                leftoverPrefix: ".state.json.tmp-", finalStates: [firstActive]),
        ]
    }

    @Test func killAtPausePoints() throws {
        let workspace = try StoreWorkspace("crash-points")
        defer { workspace.remove() }
        try Self.mintArtifacts(workspace)

        for (index, item) in Self.pausedImports().enumerated() {
            let store = "store-\(index)"
            for file in item.installedFirst {
                let setup = try workspace.license("import", [workspace.path(file)], store: store)
                try #require(setup.exitCode == 0, "\(item): importing \(file) failed: \(setup.standardOutput)")
            }
            let stateBefore = try? workspace.read("\(store)/state.json")

            let marker = workspace.path("marker-\(index)")
            let process = try Self.startImport(
                workspace, file: item.imported, store: store,
                environment: ["VUPT_TEST_PAUSE_AT": item.point, "VUPT_TEST_PAUSE_MARKER": marker])
            let reached = Self.waitForFile(marker, while: process)
            let signal = Self.kill(process)
            #expect(reached, "\(item): the import never reached \(item.point)")
            #expect(signal == SIGKILL, "\(item): the import ended without SIGKILL")

            #expect(Self.visibleStrayFiles(workspace, store: store) == [], "\(item)")
            let leftovers = Self.temporaryFiles(workspace, store: store)
            if let prefix = item.leftoverPrefix {
                #expect(leftovers.count == 1, "\(item): temp files \(leftovers)")
                #expect(leftovers.allSatisfy { $0.hasPrefix(prefix) }, "\(item): temp files \(leftovers)")
            } else {
                #expect(leftovers == [], "\(item)")
            }
            if item.leftoverPrefix == ".state.json.tmp-" {
                let stateAfter = try? workspace.read("\(store)/state.json")
                #expect(stateAfter == stateBefore, "\(item): state.json changed")
            }
            try Self.expectConsistent(workspace, store: store, states: [item.killedState], label: "\(item), killed")

            let again = try workspace.license("import", [workspace.path(item.imported)], store: store)
            #expect(again.exitCode == 0, "\(item): second import: \(again.standardOutput)\(again.standardError)")
            #expect(Self.temporaryFiles(workspace, store: store) == [], "\(item): second import left temp files")
            try Self.expectConsistent(workspace, store: store, states: item.finalStates, label: "\(item), imported again")
        }
    }

    /// Kills the import of a renewal after delays from 0 to 80 ms, 5 ms apart plus a
    /// random 0 to 4 ms. One import took about 60 ms, timed with `time` on a 2-core Linux
    /// host, so the kills spread from process start to the end of the import. On another
    /// host they land elsewhere in the import, and the checks hold for every point.
    @Test func killAfterRandomDelays() throws {
        let workspace = try StoreWorkspace("crash-random")
        defer { workspace.remove() }
        let minted = try workspace.mint(
            customer: "acme-001", out: "first.lic", issuedAt: workspace.time(days: -45), months: 1)
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let renewed = try workspace.renew(Self.first, out: "renewal.lic", renewedAt: workspace.time(days: -20))
        try #require(renewed.exitCode == 0, "renew failed: \(renewed.standardError)")

        let old = StoreState(roles: [Self.first: "active"], revocationList: nil)
        let new = [
            StoreState(roles: [Self.renewal: "active"], revocationList: nil),
            StoreState(roles: [Self.renewal: "active", Self.first: "superseded"], revocationList: nil),
        ]
        var killed = 0
        for run in 0..<16 {
            let store = "store-\(run)"
            let setup = try workspace.license("import", [workspace.path("first.lic")], store: store)
            try #require(setup.exitCode == 0, "run \(run): importing first.lic failed: \(setup.standardOutput)")

            let delay = UInt32(run * 5) + UInt32.random(in: 0...4)
            let label = "run \(run), killed after \(delay) ms"
            let process = try Self.startImport(workspace, file: "renewal.lic", store: store, environment: [:])
            usleep(delay * 1000)
            if Self.kill(process) == SIGKILL { killed += 1 }

            #expect(Self.visibleStrayFiles(workspace, store: store) == [], "\(label)")
            try Self.expectConsistent(workspace, store: store, states: [old] + new, label: label)

            let again = try workspace.license("import", [workspace.path("renewal.lic")], store: store)
            #expect(again.exitCode == 0, "\(label): second import: \(again.standardOutput)\(again.standardError)")
            #expect(Self.temporaryFiles(workspace, store: store) == [], "\(label): second import left temp files")
            try Self.expectConsistent(workspace, store: store, states: new, label: "\(label), imported again")
        }
        #expect(killed > 0, "every import finished before its kill, so no kill landed inside an import")
    }

    // MARK: - Helpers

    /// Starts `vupt-license import FILE` without waiting for it, and discards its output.
    static func startImport(
        _ workspace: StoreWorkspace, file: String, store: String, environment extra: [String: String]
    ) throws -> Process {
        let process = Process()
        process.executableURL = TestSupport.binaryDirectory.appendingPathComponent("vupt-license")
        process.arguments = [
            "import", workspace.path(file), "--store", workspace.path(store),
            "--public-key", StoreWorkspace.publicKeyPath,
        ]
        var environment = workspace.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls for `path` every 10 ms until it exists, the process ends or the limit passes.
    static func waitForFile(_ path: String, while process: Process) -> Bool {
        for _ in 0..<markerWaitLimit {
            if FileManager.default.fileExists(atPath: path) { return true }
            if !process.isRunning { return FileManager.default.fileExists(atPath: path) }
            usleep(10_000)
        }
        return false
    }

    /// Sends SIGKILL to the process unless it has ended, waits for it, and returns the
    /// signal that ended it, or nil when it exited normally.
    static func kill(_ process: Process) -> Int32? {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
    }

    /// Returns the visible names in the store and its licenses folder that do not belong there.
    static func visibleStrayFiles(_ workspace: StoreWorkspace, store: String) -> [String] {
        let manager = FileManager.default
        let root = (try? manager.contentsOfDirectory(atPath: workspace.path(store))) ?? []
        let licenses = workspace.installedFiles(store: store)
        let expectedInRoot: Set = ["licenses", "revocations.rvl", "state.json"]
        var stray = root.filter { !$0.hasPrefix(".") && !expectedInRoot.contains($0) }
        stray += licenses.filter { name in
            !name.hasPrefix(".") && !(name.hasPrefix("VUPT-") && name.hasSuffix(".lic") && name.count == 17)
        }.map { "licenses/" + $0 }
        return stray.sorted()
    }

    /// Returns the temp files (`.NAME.tmp-XXXXXX`) in the store and its licenses folder.
    static func temporaryFiles(_ workspace: StoreWorkspace, store: String) -> [String] {
        let manager = FileManager.default
        let root = (try? manager.contentsOfDirectory(atPath: workspace.path(store))) ?? []
        let licenses = workspace.installedFiles(store: store).map { "licenses/" + $0 }
        return (root + licenses).filter { $0.contains(".tmp-") }.sorted()
    }

    /// Checks that `status` reads every store file and reports one of `states`, and that
    /// `verify` without a file agrees on the active license.
    static func expectConsistent(
        _ workspace: StoreWorkspace, store: String, states: [StoreState], label: String
    ) throws {
        let status = try workspace.status(store: store)
        let report = status.report
        #expect(report != nil, "\(label): status output is not JSON: \(status.run.standardOutput)")
        #expect((report?["unusableFiles"] as? [Any])?.isEmpty == true, "\(label): \(status.run.standardOutput)")
        let list = (report?["revocationList"] as? [String: Any])?["number"] as? Int
        let state = StoreState(roles: StoreWorkspace.roles(report), revocationList: list)
        #expect(states.contains(state), "\(label): the store holds \(state), expected one of \(states)")

        let verify = try workspace.verify(store: store)
        guard let active = state.roles.first(where: { $0.value == "active" })?.key else {
            #expect(verify.run.exitCode == 66, "\(label): verify on an empty store: \(verify.run.standardError)")
            return
        }
        #expect(verify.run.exitCode == 0, "\(label): verify: \(verify.run.standardOutput)\(verify.run.standardError)")
        #expect(verify.verdict?["serial"] as? String == active, "\(label): verify picked another license")
    }
}
