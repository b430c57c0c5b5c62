#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptVerifier

/// One figure beside its limit measured in the same run.
struct Figure {
    let name: String
    let value: String
    let limit: String
    /// The figure divided by its limit, or the inverse, so that the target reads as stated.
    let ratio: Double?
    let target: String

    var meetsTarget: String {
        guard let ratio else { return "" }
        if target.hasPrefix("≥") { return ratio >= Double(target.dropFirst(2))! ? "yes" : "no" }
        if target.hasPrefix("≤") { return ratio <= Double(target.dropFirst(2))! ? "yes" : "no" }
        return ""
    }
}

struct Benchmarks {
    let work: String
    let key: Ed25519.SecretKey
    let trusted: TrustedKeySet

    init(work: String) throws {
        self.work = work
        key = try Ed25519.SecretKey.generate()
        trusted = TrustedKeySet([TrustedKey(name: "bench", publicKey: key.publicKey, source: .compiledIn)])
    }

    static func request(_ number: Int) -> LicenseRequest {
        LicenseRequest(
            customerID: "customer-\(number)", customerName: "Customer \(number) GmbH", tier: .enterprise, seats: 25,
            features: ["desktop-app", "kanban", "cost-analytics"], months: 12)
    }

    /// Creates a ledger with `count` licenses, minted in batches of one transaction each.
    func ledger(named name: String, count: Int, now: Timestamp) throws -> Ledger {
        let path = "\(work)/\(name).sqlite"
        unlink(path)
        let ledger = try Ledger(path: path)
        var minted = 0
        while minted < count {
            let batch = min(50_000, count - minted)
            _ = try ledger.mintBatch(
                (minted..<(minted + batch)).map(Benchmarks.request), key: key, operatorName: "bench", now: now)
            minted += batch
        }
        return ledger
    }

    /// Library verification of one license against raw `crypto_sign_verify_detached`.
    func verification() throws -> Figure {
        let ledger = try self.ledger(named: "verify", count: 1, now: SystemClock.now())
        let token = try ledger.licenses()[0].token
        let parsed = try PASETOv4Public.parse(token)
        let message = PASETOv4Public.signingInput(
            payload: parsed.payload, footer: parsed.footer, implicitAssertion: Array(ArtifactKind.license.domainTag.utf8))
        let publicKey = key.publicKey
        var sink = 0
        let times = try Measure.perCallAlternating(iterations: 1_000, [
            { if publicKey.isValidSignature(parsed.signature, for: message) { sink += 1 } },
            { sink += try ArtifactVerifier.verifyLicense(token: token, trustedKeys: trusted).claims.seats > 0 ? 1 : 0 },
        ])
        let (raw, library) = (times[0], times[1])
        precondition(sink > 0)
        return Figure(
            name: "library verification of one license", value: micro(library), limit: micro(raw) + " raw verify",
            ratio: raw / library, target: "≥ 0.85")
    }

    /// Bulk renewal in one durable batch against its limit: signing the same payloads and
    /// inserting the same rows (entries, licenses, Merkle nodes and the checkpoint) into a
    /// copy of the same ledger, in one transaction with the same durability settings.
    func renewal(count: Int) throws -> Figure {
        // Three rounds on fresh ledgers alternate each renewal with its limit, so a change in
        // machine load affects both alike. Each figure is the median of its three.
        var ours: [Double] = []
        var raw: [Double] = []
        for _ in 0..<3 {
            let (renewalTime, rawTime) = try renewalRound(count: count)
            ours.append(renewalTime)
            raw.append(rawTime)
        }
        let (oursMedian, rawMedian) = (Measure.median(ours), Measure.median(raw))
        return Figure(
            name: "bulk renewal of \(count) licenses, one transaction", value: rate(Double(count) / oursMedian),
            limit: rate(Double(count) / rawMedian) + " raw sign + insert", ratio: rawMedian / oursMedian, target: "≥ 0.7")
    }

    /// Renews every license of a fresh ledger, then writes the same rows into a copy taken
    /// before the renewal. Returns both durations in seconds.
    private func renewalRound(count: Int) throws -> (renewal: Double, raw: Double) {
        let start = Timestamp(secondsSince1970: 1_767_225_600)
        let ledger = try self.ledger(named: "renew", count: count, now: start)
        let serials = try ledger.licenses().map(\.serial)
        let rawPath = "\(work)/raw.sqlite"
        unlink(rawPath)
        let source = try Database(path: ledger.path, readOnly: true)
        try source.execute("VACUUM INTO '\(rawPath)'")

        let renewTime = start.adding(seconds: 300 * 86_400)
        let began = Measure.now()
        let renewed = try ledger.renew(
            serials.map { ($0, RenewalChanges()) }, key: key, operatorName: "bench", now: renewTime)
        let ours = Measure.now() - began
        precondition(renewed.count == count)

        // The rows the renewal wrote, in the order it wrote them.
        try source.execute("ATTACH DATABASE '\(rawPath)' AS raw")
        func added(_ table: String, orderedBy order: String) throws -> [Row] {
            try source.query("SELECT * FROM (SELECT * FROM main.\(table) EXCEPT SELECT * FROM raw.\(table)) ORDER BY \(order)")
        }
        let entries = try added("ledger_entries", orderedBy: "entry_index")
        let licenses = try added("licenses", orderedBy: "entry_index")
        let nodes = try added("merkle_nodes", orderedBy: "level, position")
        let checkpoints = try added("checkpoints", orderedBy: "tree_size")
        try source.execute("DETACH DATABASE raw")
        precondition(entries.count == count && licenses.count == count)

        let database = try Database(path: rawPath)
        _ = try database.query("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = FULL")
        try database.execute("PRAGMA foreign_keys = ON")
        func insert(into table: String, _ rows: [Row]) throws -> Statement? {
            guard let first = rows.first else { return nil }
            let placeholders = Array(repeating: "?", count: first.values.count).joined(separator: ", ")
            return try database.prepare("INSERT INTO \(table) VALUES (\(placeholders))")
        }
        let payloads = renewed.map { $0.claims.payloadJSON() }
        let rawBegan = Measure.now()
        try database.transaction {
            let insertEntry = try insert(into: "ledger_entries", entries)!
            let insertLicense = try insert(into: "licenses", licenses)!
            for index in 0..<count {
                let token = ArtifactSigner.sign(payload: payloads[index], kind: .license, key: key)
                precondition(token == licenses[index].text(18))
                try insertEntry.bind(entries[index].values)
                _ = try insertEntry.step()
                try insertLicense.bind(licenses[index].values)
                _ = try insertLicense.step()
            }
            for (table, rows) in [("merkle_nodes", nodes), ("checkpoints", checkpoints)] {
                guard let statement = try insert(into: table, rows) else { continue }
                for row in rows {
                    try statement.bind(row.values)
                    _ = try statement.step()
                }
            }
            for _ in checkpoints { _ = key.signature(for: Array("checkpoint".utf8)) }
        }
        return (ours, Measure.now() - rawBegan)
    }

    /// `ledger verify` against the raw two-thread signature verification rate, alternated
    /// over three rounds so that a change in machine load affects both alike. A second
    /// figure, without a target, shows how close any audit can come: two threads that
    /// only verify each signature and hash each entry, which every audit must do.
    func audit(count: Int) throws -> ([Figure], Ledger) {
        let ledger = try self.ledger(named: "audit", count: count, now: SystemClock.now())
        let parsed = try ledger.licenses().map(\.token).map { token in
            let unverified = try PASETOv4Public.parse(token)
            return (unverified.signature, PASETOv4Public.signingInput(
                payload: unverified.payload, footer: unverified.footer,
                implicitAssertion: Array(ArtifactKind.license.domainTag.utf8)))
        }
        let entryBytes = try ledger.entries().filter { $0.kind == .licenseMinted }.map(\.bytes)
        precondition(entryBytes.count == parsed.count)
        let publicKey = key.publicKey
        func verifyOnTwoThreads(hashingEntries: Bool) -> Double {
            let began = Measure.now()
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                var valid = 0
                for index in stride(from: half, to: parsed.count, by: 2) {
                    if publicKey.isValidSignature(parsed[index].0, for: parsed[index].1) { valid += 1 }
                    if hashingEntries, LedgerEntry.leafHash(of: entryBytes[index]).count == 32 { valid += 1 }
                }
                precondition(valid > 0)
            }
            return Measure.now() - began
        }
        var ours: [Double] = []
        var raw: [Double] = []
        var floor: [Double] = []
        for _ in 0..<3 {
            let began = Measure.now()
            let report = try LedgerAuditor.audit(path: ledger.path, trustedKeys: trusted)
            ours.append(Measure.now() - began)
            precondition(report.isIntact, "audit of the benchmark ledger failed: \(String(describing: report.problem))")
            raw.append(verifyOnTwoThreads(hashingEntries: false))
            floor.append(verifyOnTwoThreads(hashingEntries: true))
        }
        let (oursMedian, rawMedian, floorMedian) = (Measure.median(ours), Measure.median(raw), Measure.median(floor))
        let limit = rate(Double(count) / rawMedian) + " raw 2-thread verify"
        return ([
            Figure(
                name: "ledger verify of \(count) licenses", value: rate(Double(count) / oursMedian), limit: limit,
                ratio: rawMedian / oursMedian, target: "≥ 0.8"),
            Figure(
                name: "2-thread verify plus leaf hash of \(count) entries", value: rate(Double(count) / floorMedian),
                limit: limit, ratio: rawMedian / floorMedian, target: "none"),
        ], ledger)
    }

    /// Inclusion proof time at the ledger's size, over many serials.
    func proofs(ledger: Ledger) throws -> Figure {
        let size = try ledger.treeSize()
        let licenses = UInt64(size - 2)
        var sink = 0
        let perProof = try Measure.perCallAlternating(iterations: 200, rounds: 3, [{
            let serial = LicenseSerial.format(Int64.random(in: 1...Int64(licenses)))
            sink += try ledger.inclusionProof(serial: serial).hashes.count
        }])[0]
        precondition(sink > 0)
        return Figure(
            name: "inclusion proof at \(size) entries", value: String(format3(perProof * 1000)) + " ms",
            limit: "5 ms", ratio: perProof * 1000 / 5, target: "≤ 1.0")
    }

    func micro(_ seconds: Double) -> String { format3(seconds * 1e6) + " µs" }
    func rate(_ perSecond: Double) -> String { String(Int(perSecond)) + "/s" }
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}

