import VuptIssuer
import VuptVerifier

/// Whole-process time of `vupt-license verify FILE` against a trivial program and minisign.
enum Startup {
    static func figures(bench: Benchmarks, license: String, trivial: String, minisign: String?, runs: Int) throws -> [Figure] {
        let ledger = try bench.ledger(named: "startup", count: 1, now: SystemClock.now())
        let issued = try ledger.licenses()[0]
        let licensePath = "\(bench.work)/startup.lic"
        let publicKeyPath = "\(bench.work)/startup.pub"
        try FileIO.writeAtomically(licensePath, bytes: Array(ArtifactSigner.licenseFileText(token: issued.token, claims: issued.claims).utf8))
        try FileIO.writeAtomically(publicKeyPath, bytes: Array((PASERK.encodePublic(bench.key.publicKey) + "\n").utf8))

        let verify = (license, ["verify", licensePath, "--public-key", publicKeyPath, "--at", "2027-01-01T00:00:00Z"])
        let check = Measure.run(verify.0, verify.1)
        precondition(check.status == 0, "vupt-license verify failed with exit \(check.status)")
        var programs: [(path: String, arguments: [String])] = [verify, (trivial, [])]
        if let minisign {
            let secret = "\(bench.work)/minisign.key"
            let publicKey = "\(bench.work)/minisign.pub"
            _ = Measure.run(minisign, ["-G", "-W", "-f", "-p", publicKey, "-s", secret])
            _ = Measure.run(minisign, ["-S", "-s", secret, "-m", licensePath])
            precondition(Measure.run(minisign, ["-V", "-q", "-p", publicKey, "-m", licensePath]).status == 0,
                         "minisign -V failed")
            programs.append((minisign, ["-V", "-q", "-p", publicKey, "-m", licensePath]))
        }
        let times = Measure.processTimes(programs, runs: runs)
        var figures = [Figure(
            name: "vupt-license verify, whole process", value: ms(times[0]), limit: ms(times[1]) + " trivial Swift program",
            ratio: times[0] / times[1], target: "≤ 1.3")]
        if minisign != nil {
            figures.append(Figure(
                name: "vupt-license verify, whole process", value: ms(times[0]), limit: ms(times[2]) + " minisign -V",
                ratio: times[0] / times[2], target: "≤ 3.5"))
        }
        return figures
    }

    static func ms(_ seconds: Double) -> String { format3(seconds * 1000) + " ms" }
}

/// Peak RSS of `ledger verify` and `ledger export` at growing ledger sizes.
enum Memory {
    static func figures(bench: Benchmarks, issuer: String, sizes: [Int]) throws -> [Figure] {
        var figures: [Figure] = []
        for size in sizes {
            let ledger = try bench.ledger(named: "memory-\(size)", count: size, now: SystemClock.now())
            let verify = try peakMemory(issuer, ["ledger", "verify", "--ledger", ledger.path], work: bench.work)
            let export = try peakMemory(
                issuer, ["ledger", "export", "--format", "csv", "--out", "\(bench.work)/export.csv", "--ledger", ledger.path],
                work: bench.work)
            figures.append(Figure(
                name: "peak RSS of ledger verify at \(size) licenses", value: mib(verify.maxRSSKiB), limit: "64 MiB",
                ratio: Double(verify.maxRSSKiB) / 1024 / 64, target: "≤ 1.0"))
            figures.append(Figure(
                name: "peak RSS of ledger export at \(size) licenses", value: mib(export.maxRSSKiB), limit: "64 MiB",
                ratio: Double(export.maxRSSKiB) / 1024 / 64, target: "≤ 1.0"))
        }
        return figures
    }

    static func mib(_ kib: Int) -> String { format3(Double(kib) / 1024) + " MiB" }

    /// Peak RSS in KiB of a program run under GNU time. The kernel charges a child spawned
    /// straight from this large process with this process's memory until it calls exec,
    /// so the program is started by the small `time` process instead.
    static func peakMemory(_ program: String, _ arguments: [String], work: String) throws -> (maxRSSKiB: Int, status: Int32) {
        let output = "\(work)/time.out"
        let result = Measure.run("/usr/bin/time", ["-f", "%M", "-o", output, program] + arguments)
        precondition(result.status == 0, "\(program) \(arguments.prefix(2).joined(separator: " ")) failed with exit \(result.status)")
        let text = String(decoding: try FileIO.read(output, limit: 4096), as: UTF8.self)
        let kib = Int(text.split(whereSeparator: { $0 == "\n" }).last.map(String.init) ?? "") ?? -1
        return (kib, result.status)
    }
}
