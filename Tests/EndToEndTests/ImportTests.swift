import Foundation
import Testing
import VuptTestSupport

/// A temporary folder for the store tests: a ledger, source files and any number of
/// license stores, each a subfolder. Every `vupt-license` run gets `--store` and the test
/// public key, and `VUPT_LICENSE_STORE` also points into the folder, so no run reads or
/// writes the real home folder.
///
/// `vupt-license import` always reads the host clock, so licenses are minted at times
/// relative to `now`, which is fixed when the workspace is created.
struct StoreWorkspace {
    /// The passphrase of keys/test/vupt-test.key, published in keys/README.md.
    static let passphrase = "vupt-test-key-NOT-SECRET"
    static let secretKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.key").path
    static let publicKeyPath = TestSupport.repositoryRoot.appendingPathComponent("keys/test/vupt-test.pub").path

    let directory: URL
    let now = Date()

    init(_ label: String) throws {
        directory = try TestSupport.makeTemporaryDirectory("vupt-store-\(label)")
    }

    func remove() {
        TestSupport.removeTemporaryDirectory(directory)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    var ledgerPath: String { path("ledger.sqlite") }

    var environment: [String: String] {
        ["VUPT_LICENSE_STORE": path("store"), "VUPT_OPERATOR": "store-test"]
    }

    /// Returns `now` moved by `days`, in RFC 3339 UTC with whole seconds.
    func time(days: Double) -> String {
        Self.rfc3339(now.addingTimeInterval(days * 86_400))
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func date(rfc3339 text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    // MARK: - vupt-issuer

    /// Runs `vupt-issuer` with the passphrase in the environment, because without it the
    /// tool prompts on the terminal. Each run that unlocks the key costs about 0.7 s.
    func issuer(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        var environment = environment
        environment["VUPT_ISSUER_PASSPHRASE"] = Self.passphrase
        return try TestSupport.run("vupt-issuer", arguments, environment: environment)
    }

    /// Mints a business license issued at `issuedAt`, which is also the start of its term.
    func mint(
        customer: String, out: String, issuedAt: String, months: Int = 12, key: String = secretKeyPath,
        ledger: String? = nil
    ) throws -> TestSupport.ProcessResult {
        try issuer([
            "mint", "--key", key, "--customer", customer, "--customer-name", "Customer \(customer)",
            "--tier", "business", "--seats", "10", "--months", String(months), "--ledger", ledger ?? ledgerPath,
            "--out", path(out), "--at", issuedAt,
        ])
    }

    /// Renews `serial` at `renewedAt`. The renewal starts at the previous `exp` when it is
    /// made before the previous grace period ends, else at `renewedAt`.
    func renew(_ serial: String, out: String, renewedAt: String) throws -> TestSupport.ProcessResult {
        try issuer([
            "renew", serial, "--key", Self.secretKeyPath, "--ledger", ledgerPath, "--out", path(out),
            "--at", renewedAt,
        ])
    }

    func revoke(_ serial: String, reason: String, at: String) throws -> TestSupport.ProcessResult {
        try issuer([
            "revoke", serial, "--reason", reason, "--key", Self.secretKeyPath, "--ledger", ledgerPath, "--at", at,
        ])
    }

    /// Mints the next revocation list of the ledger.
    func revocations(
        out: String, at: String, key: String = secretKeyPath, ledger: String? = nil
    ) throws -> TestSupport.ProcessResult {
        try issuer([
            "revocations", "--key", key, "--ledger", ledger ?? ledgerPath, "--out", path(out), "--at", at,
        ])
    }

    // MARK: - vupt-license

    /// Runs `vupt-license COMMAND ARGUMENTS --store STORE --public-key vupt-test.pub`,
    /// where STORE is the subfolder `store`.
    func license(
        _ command: String, _ arguments: [String] = [], store: String = "store"
    ) throws -> TestSupport.ProcessResult {
        try TestSupport.run(
            "vupt-license",
            [command] + arguments + ["--store", path(store), "--public-key", Self.publicKeyPath],
            environment: environment)
    }

    /// Runs `import --json` on absolute paths and returns its result objects, one per
    /// artifact, or nil when the output is not a JSON array.
    func importArtifacts(
        _ paths: [String], store: String = "store"
    ) throws -> (run: TestSupport.ProcessResult, results: [[String: Any]]?) {
        let run = try license("import", paths + ["--json"], store: store)
        let results = (try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))) as? [[String: Any]]
        return (run, results)
    }

    /// Runs `status --json`, optionally at a fixed instant, and returns its object.
    func status(
        store: String = "store", at: String? = nil
    ) throws -> (run: TestSupport.ProcessResult, report: [String: Any]?) {
        let run = try license("status", ["--json"] + (at.map { ["--at", $0] } ?? []), store: store)
        return (run, Self.object(run.standardOutput))
    }

    /// Runs `verify --json` on a file, or on the store when `file` is nil.
    func verify(
        _ file: String? = nil, store: String = "store", at: String? = nil
    ) throws -> (run: TestSupport.ProcessResult, verdict: [String: Any]?) {
        var arguments = file.map { [$0] } ?? []
        arguments.append("--json")
        if let at { arguments += ["--at", at] }
        let run = try license("verify", arguments, store: store)
        return (run, Self.object(run.standardOutput))
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    // MARK: - Files

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name)))
    }

    func readText(_ name: String) throws -> String {
        String(decoding: try read(name), as: UTF8.self)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path(name))
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ name: String, _ text: String) throws {
        try write(name, Array(text.utf8))
    }

    /// Returns the names in `STORE/licenses`, sorted, hidden ones included.
    func installedFiles(store: String = "store") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(store) + "/licenses")) ?? []).sorted()
    }

    /// Returns the permission bits of a file or folder, or nil when it is missing.
    func permissions(_ name: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(name))
        return (attributes?[.posixPermissions] as? NSNumber)?.intValue
    }

    /// Returns the role of every license in a `status --json` report, by serial.
    static func roles(_ report: [String: Any]?) -> [String: String] {
        var roles: [String: String] = [:]
        for entry in report?["licenses"] as? [[String: Any]] ?? [] {
            if let serial = entry["serial"] as? String { roles[serial] = entry["role"] as? String }
        }
        return roles
    }

    static func entry(_ report: [String: Any]?, serial: String) -> [String: Any]? {
        (report?["licenses"] as? [[String: Any]])?.first { $0["serial"] as? String == serial }
    }
}

/// Armored file text: the token alone, and the file rebuilt with other wrapping.
enum ArmorText {
    /// Returns the token lines of the first block with `label`, joined, or nil without one.
    static func token(in text: String, label: String = "VUPT LICENSE") -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let begin = lines.firstIndex(of: Substring("-----BEGIN \(label)-----")),
            let end = lines.firstIndex(of: Substring("-----END \(label)-----")), begin < end
        else { return nil }
        return lines[(begin + 1)..<end].joined()
    }

    /// Builds an armored block with the token in lines of `width` characters, or on one
    /// line when `width` is nil.
    static func armor(_ token: String, width: Int?, label: String = "VUPT LICENSE") -> String {
        var text = "-----BEGIN \(label)-----\n"
        var remaining = Substring(token)
        while !remaining.isEmpty {
            let count = width ?? remaining.count
            text += remaining.prefix(count) + "\n"
            remaining = remaining.dropFirst(count)
        }
        return text + "-----END \(label)-----\n"
    }

    static func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 {
            let low = UInt8(unit & 0xFF)
            let high = UInt8(unit >> 8)
            bytes += littleEndian ? [low, high] : [high, low]
        }
        return bytes
    }
}

/// `vupt-license import` on files and folders, `status`, and `verify` without a file:
/// the customer's side of docs/STORE.md.
struct ImportTests {
    /// Returns copies of one license, each changed only in a way that copying between
    /// systems changes text.
    static func tolerantVariants(of clean: String, token: String) -> [(name: String, bytes: [UInt8])] {
        let block = ArmorText.armor(token, width: 64)
        let padded = clean.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "   \($0) \t" }.joined(separator: "\n")
        let email = """
            From: Licensing <licensing@vendor.example>
            To: Operations <ops@customer.example>
            Subject: Your Vupt license
            Content-Type: text/plain; charset=utf-8

            Hello,

            please find the license for the coming year below. Save it as a .lic file.

            \(block)
            Best regards,
            Vendor licensing

            """
        return [
            ("LF", Array(clean.utf8)),
            ("CRLF", Array(clean.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("lone CR", Array(clean.replacingOccurrences(of: "\n", with: "\r").utf8)),
            ("UTF-8 BOM", [0xEF, 0xBB, 0xBF] + Array(clean.utf8)),
            ("blank lines and spaces", Array(("\n\n \t\n" + padded + "\n\n\n").utf8)),
            ("e-mail body", Array(email.utf8)),
            ("wrapped at 76", Array(ArmorText.armor(token, width: 76).utf8)),
            ("wrapped at 17", Array(ArmorText.armor(token, width: 17).utf8)),
            ("not wrapped", Array(ArmorText.armor(token, width: nil).utf8)),
            ("NUL padding", Array(clean.utf8) + [UInt8](repeating: 0, count: 1024)),
            ("UTF-16LE BOM", ArmorText.utf16(clean, littleEndian: true)),
            ("UTF-16BE BOM", ArmorText.utf16(clean, littleEndian: false)),
        ]
    }

    @Test func tolerantInputsMatchCleanFile() throws {
        let workspace = try StoreWorkspace("tolerant")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "clean.lic", issuedAt: workspace.time(days: -1))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let clean = try workspace.readText("clean.lic")
        let token = try #require(ArmorText.token(in: clean), "no block in clean.lic")

        let reference = try workspace.importArtifacts([workspace.path("clean.lic")], store: "store-clean")
        #expect(reference.run.exitCode == 0, "clean file: \(reference.run.standardError)")
        let expected = try #require(reference.results?.first, "clean file: \(reference.run.standardOutput)")
        #expect(expected["outcome"] as? String == "accepted")
        #expect(expected["serial"] as? String == "VUPT-00000001")
        let installed = try workspace.read("store-clean/licenses/VUPT-00000001.lic")

        for (index, variant) in Self.tolerantVariants(of: clean, token: token).enumerated() {
            let file = "variant-\(index).lic"
            let store = "store-variant-\(index)"
            try workspace.write(file, variant.bytes)
            let imported = try workspace.importArtifacts([workspace.path(file)], store: store)
            let output = imported.run.standardOutput + imported.run.standardError
            #expect(imported.run.exitCode == 0, "\(variant.name): \(output)")
            #expect(imported.results?.count == 1, "\(variant.name): \(output)")
            let result = imported.results?.first
            #expect(result?["outcome"] as? String == "accepted", "\(variant.name): \(output)")
            #expect(result?["serial"] as? String == "VUPT-00000001", "\(variant.name)")
            #expect(result?["message"] as? String == expected["message"] as? String, "\(variant.name)")
            #expect(!output.contains("signature"), "\(variant.name): \(output)")
            let stored = try? workspace.read("\(store)/licenses/VUPT-00000001.lic")
            #expect(stored == installed, "\(variant.name): the installed file differs from the clean import's")
        }
    }

    @Test func twoArtifactsInOneFile() throws {
        let workspace = try StoreWorkspace("two-blocks")
        defer { workspace.remove() }
        for (customer, out) in [("acme-001", "first.lic"), ("globex-002", "second.lic")] {
            let minted = try workspace.mint(customer: customer, out: out, issuedAt: workspace.time(days: -1))
            try #require(minted.exitCode == 0, "mint \(out) failed: \(minted.standardError)")
        }
        let both = try workspace.readText("first.lic") + "\n" + workspace.readText("second.lic")
        try workspace.write("both.lic", both)
        let file = workspace.path("both.lic")

        let imported = try workspace.importArtifacts([file])
        #expect(imported.run.exitCode == 0, "\(imported.run.standardError)")
        let results = try #require(imported.results, "not JSON: \(imported.run.standardOutput)")
        #expect(results.map { $0["file"] as? String } == ["\(file)#1", "\(file)#2"])
        #expect(results.map { $0["serial"] as? String } == ["VUPT-00000001", "VUPT-00000002"])
        #expect(results.map { $0["outcome"] as? String } == ["accepted", "accepted"])
        #expect(workspace.installedFiles() == ["VUPT-00000001.lic", "VUPT-00000002.lic"])

        let text = try workspace.license("import", [file], store: "store-text")
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(file)#1: accepted VUPT-00000001") }, "\(text.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("\(file)#2: accepted VUPT-00000002") }, "\(text.standardOutput)")
    }

    @Test func damagedInputsRejectedClearly() throws {
        let workspace = try StoreWorkspace("strict")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "clean.lic", issuedAt: workspace.time(days: -1))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let clean = try workspace.readText("clean.lic")

        // One character of the first token line, inside the payload, changed to another
        // base64url character.
        var lines = clean.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let tokenLine = try #require(lines.firstIndex { $0.hasPrefix("v4.public.") })
        var characters = Array(lines[tokenLine])
        characters[30] = characters[30] == "A" ? "B" : "A"
        lines[tokenLine] = String(characters)
        let changed = lines.joined(separator: "\n")

        var oversized = clean
        let filler = "# " + String(repeating: "x", count: 1021) + "\n"
        while oversized.utf8.count <= 1 << 20 { oversized += filler }

        let pngHeader: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]
        let cases: [(name: String, bytes: [UInt8], messages: [String])] = [
            ("changed character", Array(changed.utf8), ["signature invalid", "invalid encoding"]),
            ("over 1 MiB", Array(oversized.utf8), ["over the 1048576-byte limit"]),
            ("binary", pngHeader + Array(clean.utf8), ["binary file"]),
            ("no armored block", Array("Your license is attached to this message.\n".utf8), ["no armored block"]),
        ]
        for (index, item) in cases.enumerated() {
            let file = "damaged-\(index).lic"
            let store = "store-damaged-\(index)"
            try workspace.write(file, item.bytes)
            let imported = try workspace.importArtifacts([workspace.path(file)], store: store)
            #expect(imported.run.exitCode == 2, "\(item.name): \(imported.run.standardOutput)")
            #expect(imported.results?.count == 1, "\(item.name): \(imported.run.standardOutput)")
            let result = imported.results?.first
            #expect(result?["outcome"] as? String == "rejected", "\(item.name)")
            let message = result?["message"] as? String ?? ""
            #expect(item.messages.contains { message.contains($0) }, "\(item.name): \(message)")
            #expect(workspace.installedFiles(store: store).isEmpty, "\(item.name): something was installed")
        }
    }

    @Test func secondImportAlreadyInstalled() throws {
        let workspace = try StoreWorkspace("twice")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "license.lic", issuedAt: workspace.time(days: -1))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let file = workspace.path("license.lic")

        let first = try workspace.importArtifacts([file])
        #expect(first.run.exitCode == 0, "\(first.run.standardOutput)")
        #expect(first.results?.first?["outcome"] as? String == "accepted")

        let second = try workspace.importArtifacts([file])
        #expect(second.run.exitCode == 0, "\(second.run.standardOutput)")
        #expect(second.results?.first?["outcome"] as? String == "already-installed")
        #expect(second.results?.first?["message"] as? String == "already installed VUPT-00000001")
        #expect(workspace.installedFiles() == ["VUPT-00000001.lic"])

        // docs/STORE.md: the store and its folders are 0700, its files 0600.
        #expect(workspace.permissions("store") == 0o700)
        #expect(workspace.permissions("store/licenses") == 0o700)
        #expect(workspace.permissions("store/licenses/VUPT-00000001.lic") == 0o600)
        #expect(workspace.permissions("store/state.json") == 0o600)
        #expect(workspace.permissions("store/.lock") == 0o600)
    }

    /// A fake USB stick: license copies at folder levels 1 to 5, in hidden places and
    /// behind a symbolic link. Only levels 1 to 4 are scanned. The stick is made
    /// read-only and must be byte-for-byte unchanged afterwards, which also holds when
    /// the tests run as root and the permissions do not stop writes.
    @Test func usbFolderScannedFourLevels() throws {
        let workspace = try StoreWorkspace("usb")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "license.lic", issuedAt: workspace.time(days: -1))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let license = try workspace.read("license.lic")

        let scanned = ["usb/license.lic", "usb/a/level2.lic", "usb/a/b/level3.lic", "usb/a/b/c/level4.lic"]
        let ignored = [
            "usb/a/b/c/d/level5.lic", "usb/.hidden/hidden.lic", "usb/a/.hidden-file.lic", "usb/a/readme.txt",
        ]
        for name in scanned + ignored { try workspace.write(name, Array(license)) }
        try FileManager.default.createSymbolicLink(
            atPath: workspace.path("usb/link.lic"), withDestinationPath: workspace.path("license.lic"))
        let usb = workspace.path("usb")

        try Self.setReadOnly(usb, true)
        defer { try? Self.setReadOnly(usb, false) }
        let before = try Self.snapshot(usb)

        let imported = try workspace.importArtifacts([usb])
        #expect(imported.run.exitCode == 0, "\(imported.run.standardOutput)\(imported.run.standardError)")
        let results = try #require(imported.results, "not JSON: \(imported.run.standardOutput)")
        let files = Set(results.compactMap { $0["file"] as? String })
        #expect(files == Set(scanned.map(workspace.path)))
        let outcomes = results.compactMap { $0["outcome"] as? String }.sorted()
        #expect(outcomes == ["accepted", "already-installed", "already-installed", "already-installed"])
        #expect(workspace.installedFiles() == ["VUPT-00000001.lic"])

        let after = try Self.snapshot(usb)
        #expect(after.keys.sorted() == before.keys.sorted(), "entries appeared or vanished on the stick")
        for (name, entry) in before {
            #expect(after[name] == entry, "\(name) changed on the read-only stick")
        }
    }

    /// Sets every folder under `root` to 0555 and every file to 0444, or back to 0755 and 0644.
    static func setReadOnly(_ root: String, _ readOnly: Bool) throws {
        let manager = FileManager.default
        var folders = [root]
        var files: [String] = []
        for relative in manager.subpaths(atPath: root) ?? [] {
            let path = root + "/" + relative
            let type = try manager.attributesOfItem(atPath: path)[.type] as? FileAttributeType
            if type == .typeDirectory { folders.append(path) } else if type == .typeRegular { files.append(path) }
        }
        // Children before parents, so that a parent never blocks a change below it.
        for file in files {
            try manager.setAttributes([.posixPermissions: readOnly ? 0o444 : 0o644], ofItemAtPath: file)
        }
        for folder in folders.reversed() {
            try manager.setAttributes([.posixPermissions: readOnly ? 0o555 : 0o755], ofItemAtPath: folder)
        }
    }

    /// Describes every entry under `root` by its type, permissions, modification time and
    /// content.
    static func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        for relative in manager.subpaths(atPath: root) ?? [] {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            let type = attributes[.type] as? FileAttributeType
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            var description = "\(type?.rawValue ?? "?") mode \(String(mode, radix: 8)) modified \(modified)"
            if type == .typeRegular {
                description += " content " + (try Data(contentsOf: URL(fileURLWithPath: path))).base64EncodedString()
            }
            entries[relative] = description
        }
        return entries
    }

    /// A renewal whose term has started replaces the installed license, and the older one
    /// cannot come back.
    @Test func renewalReplacesOlderLicense() throws {
        let workspace = try StoreWorkspace("supersede")
        defer { workspace.remove() }
        // The first term is one month from 45 days ago, so it ended 14 to 17 days ago and
        // is in its 30-day grace period. A renewal made 20 days ago starts at that end.
        let minted = try workspace.mint(
            customer: "acme-001", out: "old.lic", issuedAt: workspace.time(days: -45), months: 1)
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let renewed = try workspace.renew("VUPT-00000001", out: "new.lic", renewedAt: workspace.time(days: -20))
        try #require(renewed.exitCode == 0, "renew failed: \(renewed.standardError)")

        let old = try workspace.importArtifacts([workspace.path("old.lic")])
        #expect(old.run.exitCode == 0, "\(old.run.standardOutput)")
        #expect(old.results?.first?["outcome"] as? String == "accepted")

        let new = try workspace.importArtifacts([workspace.path("new.lic")])
        #expect(new.run.exitCode == 0, "\(new.run.standardOutput)")
        #expect(new.results?.first?["outcome"] as? String == "accepted")
        let message = new.results?.first?["message"] as? String ?? ""
        #expect(message.contains("replaces VUPT-00000001"), "\(message)")
        #expect(workspace.installedFiles() == ["VUPT-00000002.lic"])

        let again = try workspace.importArtifacts([workspace.path("old.lic")])
        #expect(again.run.exitCode == 1, "\(again.run.standardOutput)")
        #expect(again.results?.first?["outcome"] as? String == "refused")
        let refusal = again.results?.first?["message"] as? String ?? ""
        #expect(refusal.contains("older than the installed license VUPT-00000002, sequence 2"), "\(refusal)")
        #expect(workspace.installedFiles() == ["VUPT-00000002.lic"])

        let status = try workspace.status()
        #expect(status.run.exitCode == 0, "\(status.run.standardOutput)")
        #expect(StoreWorkspace.roles(status.report) == ["VUPT-00000002": "active"])
    }

    /// A renewal made early starts at the old `exp`, so it is pending until then and
    /// becomes active at the first check after it, with nothing run in between.
    /// A stick whose renewal file sorts before the current license, and a store that got
    /// the renewal first, both end with the current license active.
    @Test func renewalFirstKeepsCurrentActive() throws {
        let workspace = try StoreWorkspace("renewal-first")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "b-current.lic", issuedAt: workspace.time(days: -10))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let renewed = try workspace.renew("VUPT-00000001", out: "a-renewal.lic", renewedAt: workspace.time(days: -5))
        try #require(renewed.exitCode == 0, "renew failed: \(renewed.standardError)")

        let together = try workspace.importArtifacts([workspace.path("a-renewal.lic"), workspace.path("b-current.lic")])
        #expect(together.run.exitCode == 0, "\(together.run.standardOutput)")
        #expect(together.results?.map { $0["outcome"] as? String } == ["pending", "accepted"])
        let status = try workspace.status()
        #expect(StoreWorkspace.roles(status.report) == ["VUPT-00000001": "active", "VUPT-00000002": "pending"])

        let first = try workspace.importArtifacts([workspace.path("a-renewal.lic")], store: "store-separate")
        #expect(first.results?.first?["outcome"] as? String == "pending")
        let second = try workspace.importArtifacts([workspace.path("b-current.lic")], store: "store-separate")
        #expect(second.run.exitCode == 0, "\(second.run.standardOutput)")
        #expect(second.results?.first?["outcome"] as? String == "accepted")
        let separate = try workspace.verify(store: "store-separate")
        #expect(separate.verdict?["serial"] as? String == "VUPT-00000001")
        #expect(separate.run.exitCode == 0, "\(separate.run.standardOutput)")

        // The vendor's ledger agrees: the renewal is pending and the license in term active.
        let listed = try workspace.issuer(["ledger", "list", "--json", "--ledger", workspace.ledgerPath])
        let rows = (try? JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8))) as? [[String: Any]] ?? []
        #expect(rows.map { $0["status"] as? String } == ["active", "pending"], "\(listed.standardOutput)")
    }

    @Test func pendingRenewalActivatesAtStart() throws {
        let workspace = try StoreWorkspace("pending")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "current.lic", issuedAt: workspace.time(days: -10))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let renewed = try workspace.renew("VUPT-00000001", out: "renewal.lic", renewedAt: workspace.time(days: -5))
        try #require(renewed.exitCode == 0, "renew failed: \(renewed.standardError)")

        let imported = try workspace.importArtifacts([workspace.path("current.lic"), workspace.path("renewal.lic")])
        #expect(imported.run.exitCode == 0, "\(imported.run.standardOutput)")
        #expect(imported.results?.map { $0["outcome"] as? String } == ["accepted", "pending"])
        let pendingMessage = imported.results?.last?["message"] as? String ?? ""
        #expect(pendingMessage.hasPrefix("pending VUPT-00000002: becomes active at "), "\(pendingMessage)")

        let now = try workspace.status()
        #expect(now.run.exitCode == 0, "\(now.run.standardOutput)")
        #expect(StoreWorkspace.roles(now.report) == ["VUPT-00000001": "active", "VUPT-00000002": "pending"])
        #expect(StoreWorkspace.entry(now.report, serial: "VUPT-00000001")?["verdict"] as? String == "valid")
        let pending = StoreWorkspace.entry(now.report, serial: "VUPT-00000002")
        #expect(pending?["verdict"] as? String == "not-yet-valid")
        let installedNow = try workspace.verify()
        #expect(installedNow.run.exitCode == 0, "\(installedNow.run.standardOutput)")
        #expect(installedNow.verdict?["serial"] as? String == "VUPT-00000001")

        // Close to expiry the warning names the installed renewal instead of asking for one.
        let start = try #require((pending?["notBefore"] as? String).flatMap { StoreWorkspace.date(rfc3339: $0) })
        let expiring = try workspace.verify(at: StoreWorkspace.rfc3339(start.addingTimeInterval(-5 * 86_400)))
        #expect(expiring.verdict?["verdict"] as? String == "expiring", "\(expiring.run.standardOutput)")
        let warnings = expiring.verdict?["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("its renewal VUPT-00000002 is installed") }, "\(warnings)")

        let later = StoreWorkspace.rfc3339(start.addingTimeInterval(86_400))
        let afterStart = try workspace.status(at: later)
        #expect(afterStart.run.exitCode == 0, "\(afterStart.run.standardOutput)")
        #expect(StoreWorkspace.roles(afterStart.report) == ["VUPT-00000002": "active", "VUPT-00000001": "superseded"])
        #expect(StoreWorkspace.entry(afterStart.report, serial: "VUPT-00000002")?["verdict"] as? String == "valid")
        #expect(StoreWorkspace.entry(afterStart.report, serial: "VUPT-00000001")?["verdict"] as? String == "superseded")

        let installedLater = try workspace.verify(at: later)
        #expect(installedLater.run.exitCode == 0, "\(installedLater.run.standardOutput)")
        #expect(installedLater.verdict?["serial"] as? String == "VUPT-00000002")
        #expect(installedLater.verdict?["verdict"] as? String == "valid")
        #expect(workspace.installedFiles() == ["VUPT-00000001.lic", "VUPT-00000002.lic"])
    }

    @Test func statusShowsStoreDetails() throws {
        let workspace = try StoreWorkspace("status")
        defer { workspace.remove() }
        let minted = try workspace.mint(customer: "acme-001", out: "current.lic", issuedAt: workspace.time(days: -10))
        try #require(minted.exitCode == 0, "mint failed: \(minted.standardError)")
        let renewed = try workspace.renew("VUPT-00000001", out: "renewal.lic", renewedAt: workspace.time(days: -5))
        try #require(renewed.exitCode == 0, "renew failed: \(renewed.standardError)")
        let imported = try workspace.importArtifacts([workspace.path("current.lic"), workspace.path("renewal.lic")])
        try #require(imported.run.exitCode == 0, "\(imported.run.standardOutput)")

        let status = try workspace.status()
        #expect(status.run.exitCode == 0, "\(status.run.standardOutput)")
        let report = try #require(status.report, "not JSON: \(status.run.standardOutput)")
        let state = StoreWorkspace.object(try workspace.readText("store/state.json"))
        #expect(report["store"] as? String == workspace.path("store"))
        #expect(report["lastTrustedTime"] as? String != nil)
        #expect(report["lastTrustedTime"] as? String == state?["lastTrustedTime"] as? String)
        let active = StoreWorkspace.entry(report, serial: "VUPT-00000001")
        #expect(active?["role"] as? String == "active")
        let days = Self.wholeDays(from: report["evaluatedAt"] as? String, to: active?["notAfter"] as? String)
        #expect(days != nil)
        #expect(active?["daysRemaining"] as? Int == days)
        let pending = StoreWorkspace.entry(report, serial: "VUPT-00000002")
        #expect(pending?["role"] as? String == "pending")
        #expect(pending?["notBefore"] as? String == active?["notAfter"] as? String)

        let text = try workspace.license("status")
        #expect(text.exitCode == 0, "\(text.standardOutput)")
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        let textState = StoreWorkspace.object(try workspace.readText("store/state.json"))
        let lastTrusted = textState?["lastTrustedTime"] as? String ?? "missing state"
        #expect(lines.contains("store:              \(workspace.path("store"))"), "\(text.standardOutput)")
        #expect(lines.contains("last trusted time:  \(lastTrusted)"), "\(text.standardOutput)")
        let evaluated = lines.first { $0.hasPrefix("evaluated at:") }.map { String($0.split(separator: " ").last!) }
        let activeLine = lines.first { $0.hasPrefix("active VUPT-00000001: valid") }
        #expect(activeLine != nil, "\(text.standardOutput)")
        let textDays = Self.wholeDays(from: evaluated, to: active?["notAfter"] as? String) ?? -1
        #expect(activeLine?.contains("(\(textDays) days left)") == true, "\(activeLine ?? "")")
        let pendingLine = lines.first { $0.hasPrefix("pending VUPT-00000002: not-yet-valid") }
        #expect(pendingLine != nil, "\(text.standardOutput)")
        let start = pending?["notBefore"] as? String ?? "missing"
        #expect(pendingLine?.contains("starts \(start)") == true, "\(pendingLine ?? "")")
    }

    /// Returns the whole days from one RFC 3339 time to a later one, rounded down.
    static func wholeDays(from start: String?, to end: String?) -> Int? {
        guard let start, let end, let startDate = StoreWorkspace.date(rfc3339: start),
            let endDate = StoreWorkspace.date(rfc3339: end)
        else { return nil }
        return Int((endDate.timeIntervalSince(startDate) / 86_400).rounded(.down))
    }

    @Test func emptyStoreExplainsImport() throws {
        let workspace = try StoreWorkspace("empty")
        defer { workspace.remove() }

        let verify = try workspace.license("verify")
        #expect(verify.exitCode == 66, "\(verify.standardOutput)\(verify.standardError)")
        #expect(verify.standardError.contains("no license installed in \(workspace.path("store"))"), "\(verify.standardError)")
        #expect(verify.standardError.contains("vupt-license import"), "\(verify.standardError)")

        let status = try workspace.status()
        #expect(status.run.exitCode == 66, "\(status.run.standardOutput)")
        #expect((status.report?["licenses"] as? [Any])?.isEmpty == true)
    }
}
