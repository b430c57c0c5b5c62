#if canImport(Glibc)
import Glibc
#endif
import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// `vupt-bench`: prints each figure beside its limit from the same run. scripts/bench
/// builds it in release mode with the programs it compares against.
@main
struct BenchMain {
    static let usage = """
        Usage: vupt-bench --work DIR --license BIN --issuer BIN --trivial BIN [--minisign BIN]
                          [--entries N] [--renewals N] [--memory-sizes N,N,...] [--runs N]
        """

    static func main() {
        ErrorText.run(program: "vupt-bench") {
            let options: [OptionSpec] = [
                .value("work", "DIR"), .value("license", "BIN"), .value("issuer", "BIN"), .value("trivial", "BIN"),
                .value("minisign", "BIN"), .value("entries", "N"), .value("renewals", "N"),
                .value("memory-sizes", "LIST"), .value("runs", "N"), .value("only", "LIST"),
            ]
            let arguments = try ParsedArguments(commandLineArguments, options: options, command: "vupt-bench")
            if arguments.helpRequested {
                Console.out(usage)
                return ExitCode.success
            }
            let work = try arguments.required("work", command: "vupt-bench")
            let entries = Int(try arguments.integer("entries", in: 10...10_000_000) ?? 100_000)
            let renewals = Int(try arguments.integer("renewals", in: 10...1_000_000) ?? 10_000)
            let runs = Int(try arguments.integer("runs", in: 5...10_000) ?? 200)
            let memorySizes = (arguments.value("memory-sizes") ?? "10000,100000").split(separator: ",").compactMap { Int($0) }
            let bench = try Benchmarks(work: work)
            var figures: [Figure] = []
            // --only verify,startup,renewal,audit,memory runs a subset; proofs go with audit.
            let only = arguments.value("only").map { Set($0.split(separator: ",").map(String.init)) }
            func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

            if wanted("verify") {
                Console.error("measuring library verification")
                figures.append(try bench.verification())
            }
            if wanted("startup") {
                Console.error("measuring process start-up")
                figures += try Startup.figures(
                    bench: bench, license: try arguments.required("license", command: "vupt-bench"),
                    trivial: try arguments.required("trivial", command: "vupt-bench"),
                    minisign: arguments.value("minisign"), runs: runs)
            }
            if wanted("renewal") {
                Console.error("measuring bulk renewal of \(renewals)")
                figures.append(try bench.renewal(count: renewals))
            }
            if wanted("audit") {
                // The audit target is set for a 100,000-entry ledger; proofs use the largest.
                let auditEntries = min(entries, 100_000)
                Console.error("measuring ledger verify of \(auditEntries)")
                let (auditFigures, ledger) = try bench.audit(count: auditEntries)
                figures += auditFigures
                Console.error("measuring inclusion proofs at \(entries)")
                let proofLedger = auditEntries == entries
                    ? ledger : try bench.ledger(named: "proofs", count: entries, now: SystemClock.now())
                figures.append(try bench.proofs(ledger: proofLedger))
            }
            if wanted("memory") {
                Console.error("measuring peak memory")
                figures += try Memory.figures(
                    bench: bench, issuer: try arguments.required("issuer", command: "vupt-bench"), sizes: memorySizes)
            }

            Console.out("| figure | value | limit in the same run | ratio | target | met |")
            Console.out("|---|---|---|---|---|---|")
            for figure in figures {
                let ratio = figure.ratio.map { format3($0) } ?? ""
                Console.out("| \(figure.name) | \(figure.value) | \(figure.limit) | \(ratio) | \(figure.target) | \(figure.meetsTarget) |")
            }
            return ExitCode.success
        }
    }
}
