import VuptCommandLine
import VuptIssuer
import VuptVerifier

/// The keys an auditor trusts: `--public-key` files, or none (the ledger's own keys).
enum AuditorKeys {
    static func load(_ parsed: ParsedArguments) throws(CommandError) -> TrustedKeySet {
        var keys = TrustedKeySet()
        for file in parsed.allValues("public-key") { keys.add(try ErrorText.readTrustedKey(path: file)) }
        return keys
    }
}

enum LedgerVerifyCommand {
    static let name = "vupt-issuer ledger verify"
    static let help = """
        Usage: vupt-issuer ledger verify [--public-key FILE] [--since-checkpoint FILE]
                                         [--json] [--ledger FILE]

        Audit the ledger with public keys only: recompute every leaf hash and the Merkle
        tree, check every license and revocation-list signature, every stored
        checkpoint's signature and root, and that every derived row matches its entry.
        With --since-checkpoint, also check that the ledger extends a checkpoint you
        kept. The first bad entry is reported with the kind of damage: edited, removed,
        inserted, reordered, truncated, bad-checkpoint or bad-signature.

        Options:
          --public-key FILE        The vendor's k4.public key (repeatable). Without it
                                   the keys registered in the ledger are used, which
                                   shows consistency but not who signed
          --since-checkpoint FILE  A signed checkpoint kept from an earlier audit
          --json                   Print a JSON object
          --ledger FILE            Ledger file (default: $VUPT_LEDGER, else
                                   ./vupt-ledger.sqlite)
          -h, --help               Show this help

        Exit codes: 0 every check holds; 2 damage found; 66 ledger missing.
        """
    static let options: [OptionSpec] = [
        .value("public-key", "FILE", repeatable: true), .value("since-checkpoint", "FILE"), .flag("json"),
        .value("ledger", "FILE"),
    ]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals([], command: name)
        let keys = try AuditorKeys.load(parsed)
        let kept = try parsed.value("since-checkpoint").map { (path) throws(CommandError) in try LedgerCommand.readText(path) }
        let path = IssuerErrors.ledgerPath(parsed)
        let report = try LedgerAuditor.audit(path: path, trustedKeys: keys, keptCheckpoint: kept)

        if parsed.flag("json") {
            Console.out(JSONValue.object([
                ("ledger", .string(path)),
                ("intact", .bool(report.isIntact)),
                ("origin", .string(report.origin)),
                // The walk stops at the first problem, so a damaged ledger has no counts or root.
                ("entries", report.isIntact ? .number(String(report.entries)) : .null),
                ("licenses", report.isIntact ? .integer(Int64(report.licenses)) : .null),
                ("checkpoints", report.isIntact ? .integer(Int64(report.checkpoints)) : .null),
                ("rootHash", report.isIntact ? .string(report.rootHashBase64) : .null),
                ("problem", report.problem.map { problem in
                    .object([
                        ("kind", .string(problem.finding.rawValue)),
                        ("index", problem.index.map { .integer($0) } ?? .null),
                        ("detail", .string(problem.detail)),
                    ])
                } ?? .null),
                ("warnings", .array(report.warnings.map { .string($0) })),
            ]).prettyPrinted())
        } else {
            for warning in report.warnings { Console.error("vupt-issuer: warning: \(warning)") }
            if let problem = report.problem {
                Console.error("vupt-issuer: error: ledger \(path) is damaged: \(problem)")
            } else {
                Console.out("ledger \(path) is intact: \(counted(report.entries, "entry", plural: "entries")), "
                    + "\(counted(report.licenses, "license")), \(counted(report.checkpoints, "signed checkpoint")), "
                    + "root \(report.rootHashBase64)")
            }
        }
        return report.isIntact ? ExitCode.success : ExitCode.rejected
    }
}

enum LedgerCheckpointCommand {
    static let name = "vupt-issuer ledger checkpoint"
    static let help = """
        Usage: vupt-issuer ledger checkpoint [--out FILE] [--verifier-key] [--ledger FILE]

        Print or write the newest signed checkpoint: a C2SP signed note whose text is
        the log origin, the tree size and the base64 root hash. Keep it to check later
        that the ledger only grew (ledger verify --since-checkpoint, ledger consistency).

        Options:
          --out FILE      Write to FILE instead of standard output
          --verifier-key  Print the C2SP verifier key (NAME+ID+KEY) of the key that
                          signed it instead, for other signed-note tools
          --ledger FILE   Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help      Show this help
        """
    static let options: [OptionSpec] = [.value("out", "FILE"), .flag("verifier-key"), .value("ledger", "FILE")]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals([], command: name)
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)
        if parsed.flag("verifier-key") {
            guard let vkey = try ledger.checkpointVerifierKey() else {
                throw CommandError("ledger \(ledger.path) has no checkpoint yet; mint a license first", exitCode: ExitCode.inputMissing)
            }
            try LedgerCommand.output(vkey + "\n", to: parsed.value("out"), description: "checkpoint verifier key")
            return ExitCode.success
        }
        guard let note = try ledger.latestCheckpoint() else {
            throw CommandError("ledger \(ledger.path) has no checkpoint yet; mint a license first", exitCode: ExitCode.inputMissing)
        }
        try LedgerCommand.output(note, to: parsed.value("out"), description: "signed checkpoint")
        return ExitCode.success
    }
}

enum LedgerProofCommand {
    static let name = "vupt-issuer ledger proof"
    static let help = """
        Usage: vupt-issuer ledger proof SERIAL --out FILE [--checkpoint FILE] [--ledger FILE]

        Write an RFC 6962 inclusion proof that the license SERIAL is recorded in the
        ledger: its entry, leaf index, tree size and sibling hashes, with the signed
        checkpoint they lead to. A customer or auditor checks it offline with
        'vupt-license verify LICENSE --proof FILE'.

        Options:
          --out FILE          Proof file to write (JSON)
          --checkpoint FILE   Prove against this earlier signed checkpoint instead of
                              the newest one
          --ledger FILE       Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help          Show this help
        """
    static let options: [OptionSpec] = [.value("out", "FILE"), .value("checkpoint", "FILE"), .value("ledger", "FILE")]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals(["SERIAL"], command: name)
        let out = try parsed.required("out", command: name)
        let checkpoint = try parsed.value("checkpoint").map { (path) throws(CommandError) in try LedgerCommand.readText(path) }
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)
        let proof = try ledger.inclusionProof(serial: parsed.positionals[0], checkpoint: checkpoint)
        try LedgerCommand.output(proof.json().prettyPrinted() + "\n", to: out)
        Console.out("proof of \(parsed.positionals[0]) at entry \(proof.leafIndex) of \(proof.treeSize) written to \(out)")
        return ExitCode.success
    }
}

enum LedgerConsistencyCommand {
    static let name = "vupt-issuer ledger consistency"
    static let help = """
        Usage: vupt-issuer ledger consistency --from OLD_CHECKPOINT [--out FILE] [--ledger FILE]
               vupt-issuer ledger consistency --from OLD_CHECKPOINT --proof FILE
                                              --public-key FILE

        The first form writes an RFC 6962 consistency proof from a checkpoint an auditor
        kept to the ledger's newest checkpoint. The second form is the auditor's check:
        it needs only the proof, the old checkpoint and the vendor's public key, and
        exits 0 when the newer tree extends the old one.

        Options:
          --from FILE         The older signed checkpoint
          --out FILE          Write the proof to FILE instead of standard output
          --proof FILE        Check this proof instead of writing one
          --public-key FILE   The vendor's k4.public key (repeatable), for checking
          --ledger FILE       Ledger file (default: $VUPT_LEDGER, else ./vupt-ledger.sqlite)
          -h, --help          Show this help
        """
    static let options: [OptionSpec] = [
        .value("from", "FILE"), .value("out", "FILE"), .value("proof", "FILE"),
        .value("public-key", "FILE", repeatable: true), .value("ledger", "FILE"),
    ]

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let parsed = try LedgerCommand.parse(arguments, options: options, name: name, help: help) else { return 0 }
        try parsed.requirePositionals([], command: name)
        let old = try LedgerCommand.readText(try parsed.required("from", command: name))
        if let proofPath = parsed.value("proof") {
            let keys = try AuditorKeys.load(parsed)
            guard !keys.isEmpty else { throw CommandError.usage("checking a proof needs --public-key FILE") }
            do {
                let proof = try ConsistencyProof(json: Array(try LedgerCommand.readText(proofPath).utf8))
                let (oldCheckpoint, newCheckpoint) = try proof.verify(from: old, trustedKeys: keys)
                Console.out("consistent: the tree at size \(newCheckpoint.treeSize) extends the tree at size "
                    + "\(oldCheckpoint.treeSize) of log \(newCheckpoint.origin)")
                return ExitCode.success
            } catch let error as ProofError {
                throw CommandError("\(proofPath): \(error)", exitCode: ExitCode.rejected)
            }
        }
        let ledger = try Ledger(path: IssuerErrors.ledgerPath(parsed), readOnly: true)
        let proof = try ledger.consistencyProof(from: old)
        try LedgerCommand.output(
            proof.json().prettyPrinted() + "\n", to: parsed.value("out"),
            description: "consistency proof from size \(proof.oldSize) to \(proof.newSize)")
        return ExitCode.success
    }
}
