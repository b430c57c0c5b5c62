#if canImport(Glibc)
import Glibc
#endif
import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-issuer renew`.
struct RenewCommand {
    static let name = "vupt-issuer renew"
    static let help = """
        Usage: vupt-issuer renew SERIAL --key FILE --out FILE [options]
               vupt-issuer renew --due-within DAYS --key FILE --out-dir DIR [options]
               vupt-issuer renew --from-csv FILE --key FILE --out-dir DIR [options]

        Renew licenses from the ledger. A renewal keeps the customer, subscription,
        installation and entitlements unless an option changes them; its sequence is
        one higher and it supersedes the previous serial.

        Term: a renewal made before the previous grace period ends starts at the
        previous expiry (no gap, no overlap); a later one starts now. The end is N
        months later on the subscription's original day of month, clamped to shorter
        months, so terms do not drift (2024-02-29, 2025-02-28, 2026-02-28, 2027-02-28,
        2028-02-29). See docs/RENEWALS.md.

        A batch (--due-within or --from-csv) unlocks the key once and records every
        renewal in one ledger transaction: all or nothing. Files are written after the
        commit, one per license, into DIR. Ctrl-C before the commit leaves the ledger
        unchanged and writes no file.

        Options:
          --key FILE              Secret key file (k4.secret-pw)
          --out FILE              License file to write (single renewal)
          --out-dir DIR           Folder for the license files (batch)
          --due-within DAYS       Renew every license that 'due --within DAYS' lists
          --from-csv FILE         Renew the serials listed in FILE: a header row, then
                                  one row per license; columns: serial (required),
                                  months, tier, seats (optional, empty keeps the value)
          --months N              Term in calendar months (default 12)
          --tier TIER             New tier: business or enterprise
          --seats N               New number of seats
          --feature NAME          Add a feature (repeatable)
          --remove-feature NAME   Remove a feature (repeatable)
          --force                 Replace existing output files
          --ledger FILE           Ledger file (default: $VUPT_LEDGER, else
                                  ./vupt-ledger.sqlite)
          --passphrase-file FILE  Read the key passphrase from FILE
          --at TIME               Renewal time instead of now, for tests; the ledger
                                  records it
          -h, --help              Show this help
        """
    static let options: [OptionSpec] = [
        .value("key", "FILE"), .value("out", "FILE"), .value("out-dir", "DIR"), .value("due-within", "DAYS"),
        .value("from-csv", "FILE"), .value("months", "N"), .value("tier", "TIER"), .value("seats", "N"),
        .value("feature", "NAME", repeatable: true), .value("remove-feature", "NAME", repeatable: true),
        .flag("force"), .value("ledger", "FILE"), .value("passphrase-file", "FILE"), .value("at", "TIME"),
    ]

    let arguments: ParsedArguments

    init(_ rawArguments: [String]) throws(CommandError) {
        arguments = try ParsedArguments(rawArguments, options: Self.options, command: Self.name)
    }

    /// Changes given on the command line, applied to every renewal.
    func commonChanges() throws(CommandError) -> RenewalChanges {
        var changes = RenewalChanges()
        if let months = try arguments.integer("months", in: 1...Int64(LicenseRequest.maximumMonths)) {
            changes.months = Int(months)
        }
        if let tierName = arguments.value("tier") {
            guard let tier = Tier(rawValue: tierName) else {
                throw .usage("invalid --tier '\(tierName)': air-gapped licenses exist only for business and enterprise")
            }
            changes.tier = tier
        }
        changes.seats = try arguments.integer("seats", in: 1...LicenseClaims.maximumSeats)
        changes.addedFeatures = arguments.allValues("feature")
        changes.removedFeatures = arguments.allValues("remove-feature")
        for feature in changes.addedFeatures {
            if Feature.cloudOnlyNames.contains(feature) {
                throw .usage("\(MintError.cloudOnlyFeature(feature))")
            }
            if Feature(rawValue: feature) == nil { throw .usage("\(MintError.unknownFeature(feature))") }
        }
        return changes
    }

    func run() throws -> Int32 {
        if arguments.helpRequested {
            Console.out(Self.help)
            return ExitCode.success
        }
        let keyPath = try arguments.required("key", command: Self.name)
        let changes = try commonChanges()
        let now = try IssuerErrors.now(arguments)
        let force = arguments.flag("force")
        let modes = [!arguments.positionals.isEmpty, arguments.value("due-within") != nil, arguments.value("from-csv") != nil]
        guard modes.filter({ $0 }).count == 1 else {
            throw CommandError.usage("give exactly one of SERIAL, --due-within DAYS or --from-csv FILE; see '\(Self.name) --help'")
        }

        if !arguments.positionals.isEmpty {
            try arguments.requirePositionals(["SERIAL"], command: Self.name)
            let outPath = try arguments.required("out", command: Self.name)
            try IssuerErrors.checkOutputWritable(outPath, force: force)
            let passphrase = try Passphrase.obtain(file: arguments.value("passphrase-file"), confirm: false)
            let key = try SigningKeyFile.unlock(path: keyPath, passphrase: passphrase)
            let ledger = try Ledger(path: IssuerErrors.ledgerPath(arguments))
            let renewed = try ledger.renew(
                [(arguments.positionals[0], changes)], key: key, operatorName: currentOperatorName(), now: now)[0]
            try LicenseFileWriter.write(renewed, to: outPath, force: force)
            let claims = renewed.claims
            Console.out("renewed \(claims.supersedes ?? "") as \(renewed.serial), sequence \(claims.sequence)")
            Console.out("  tier \(claims.tier.rawValue), \(counted(claims.seats, "seat")), features: \(claims.features.joined(separator: ", "))")
            Console.out("  valid \(claims.notBefore.rfc3339) to \(claims.notAfter.rfc3339)")
            Console.out("  file \(outPath)")
            return ExitCode.success
        }
        return try runBatch(keyPath: keyPath, changes: changes, now: now, force: force)
    }

    private func runBatch(keyPath: String, changes: RenewalChanges, now: Timestamp, force: Bool) throws -> Int32 {
        let outDirectory = try arguments.required("out-dir", command: Self.name)
        do {
            try FileIO.createDirectory(outDirectory, mode: 0o755)
        } catch {
            throw ErrorText.commandError(for: error)
        }
        guard FileIO.isWritableDirectory(outDirectory) else {
            throw CommandError("cannot write into \(outDirectory)", exitCode: ExitCode.cannotCreate)
        }
        let ledgerPath = IssuerErrors.ledgerPath(arguments)
        var items: [(serial: String, changes: RenewalChanges)]
        if let days = try arguments.integer("due-within", in: 0...3660) {
            let due = try Ledger(path: ledgerPath, readOnly: true).due(within: days, now: now)
            items = due.map { ($0.serial, changes) }
        } else {
            items = try RenewalCSV.read(try arguments.required("from-csv", command: Self.name), base: changes)
        }
        if items.isEmpty {
            Console.out("nothing to renew")
            return ExitCode.success
        }

        let passphrase = try Passphrase.obtain(file: arguments.value("passphrase-file"), confirm: false)
        let key = try SigningKeyFile.unlock(path: keyPath, passphrase: passphrase)
        let ledger = try Ledger(path: ledgerPath)
        let progress = Progress(total: items.count)
        Interrupt.install()
        let renewed: [IssuedLicense]
        do {
            renewed = try ledger.renew(items, key: key, operatorName: currentOperatorName(), now: now) { _, done in
                if Interrupt.wasRequested { throw InterruptedError() }
                progress.update(done: done)
            }
        } catch is InterruptedError {
            progress.finish()
            throw CommandError("interrupted before the commit: the ledger is unchanged and no file was written", exitCode: 130)
        }
        Interrupt.ignore()
        progress.finish()

        var failures = 0
        for license in renewed {
            let path = FileIO.path("\(license.claims.customerID)-\(license.serial).lic", in: outDirectory)
            do {
                try LicenseFileWriter.write(license, to: path, force: force)
                Console.out("\(license.claims.supersedes ?? "") -> \(license.serial)  \(path)")
            } catch {
                Console.error("vupt-issuer: error: \(error.message)")
                failures += 1
            }
        }
        Console.out("renewed \(renewed.count) license\(renewed.count == 1 ? "" : "s") in one transaction; files in \(outDirectory)")
        return failures == 0 ? ExitCode.success : ExitCode.cannotCreate
    }
}

/// Reads the batch-renewal CSV: a header row naming the columns, then one row per license.
enum RenewalCSV {
    static func read(_ path: String, base: RenewalChanges) throws -> [(serial: String, changes: RenewalChanges)] {
        let text = String(decoding: try FileIO.read(path, limit: 16 << 20), as: UTF8.self)
        var rows = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() } }
        guard !rows.isEmpty else { throw CommandError.usage("\(path) is empty; expected a header row with 'serial'") }
        let header = rows.removeFirst().map { $0.lowercased() }
        guard let serialColumn = header.firstIndex(of: "serial") else {
            throw CommandError.usage("\(path): the header row has no 'serial' column")
        }
        for column in header where !["serial", "months", "tier", "seats"].contains(column) {
            throw CommandError.usage("\(path): unknown column '\(column)'; columns are serial, months, tier, seats")
        }
        var items: [(serial: String, changes: RenewalChanges)] = []
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            guard row.count == header.count else {
                throw CommandError.usage("\(path):\(line): \(row.count) fields, the header has \(header.count)")
            }
            var changes = base
            func field(_ name: String) -> String? {
                header.firstIndex(of: name).map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            }
            if let months = field("months") {
                guard let value = Int(months), (1...LicenseRequest.maximumMonths).contains(value) else {
                    throw CommandError.usage("\(path):\(line): invalid months '\(months)'")
                }
                changes.months = value
            }
            if let tier = field("tier") {
                guard let value = Tier(rawValue: tier) else { throw CommandError.usage("\(path):\(line): invalid tier '\(tier)'") }
                changes.tier = value
            }
            if let seats = field("seats") {
                guard let value = Int64(seats), (1...LicenseClaims.maximumSeats).contains(value) else {
                    throw CommandError.usage("\(path):\(line): invalid seats '\(seats)'")
                }
                changes.seats = value
            }
            items.append((row[serialColumn], changes))
        }
        return items
    }
}

/// Progress on standard error when it is a terminal: count, rate and time left.
final class Progress {
    let total: Int
    let enabled = Console.isTerminal(STDERR_FILENO)
    let started = MonotonicClock.seconds()
    var lastDraw = 0.0

    init(total: Int) {
        self.total = total
    }

    func update(done: Int) {
        guard enabled else { return }
        let elapsed = MonotonicClock.seconds() - started
        guard elapsed - lastDraw >= 0.1 || done == total else { return }
        lastDraw = elapsed
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Int(Double(total - done) / rate) : 0
        Console.write("\r\(done)/\(total) renewed, \(Int(rate))/s, \(remaining) s left   ", to: STDERR_FILENO)
    }

    func finish() {
        if enabled { Console.write("\n", to: STDERR_FILENO) }
    }
}

enum MonotonicClock {
    static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        if slice.hasPrefix("\""), slice.hasSuffix("\""), slice.count >= 2 { slice = slice.dropFirst().dropLast() }
        return String(slice)
    }
}
