import Foundation
import Testing
@testable import VuptIssuer
import VuptSQLite
import VuptSodium
import VuptVerifier

/// Audits a ledger file with and without the quicker proof for license entries and expects
/// the same report: the proof may only ever accept what the full check accepts.
private func auditBothWays(
    _ path: String, keys: TrustedKeySet, sourceLocation: SourceLocation = #_sourceLocation
) throws -> AuditReport {
    let quick = try LedgerAuditor.audit(path: path, trustedKeys: keys, keptCheckpoint: nil, quickProof: true)
    let full = try LedgerAuditor.audit(path: path, trustedKeys: keys, keptCheckpoint: nil, quickProof: false)
    #expect(
        quick.problem.map(String.init(describing:)) == full.problem.map(String.init(describing:)),
        sourceLocation: sourceLocation)
    #expect(quick.entries == full.entries, sourceLocation: sourceLocation)
    #expect(quick.licenses == full.licenses, sourceLocation: sourceLocation)
    #expect(quick.checkpoints == full.checkpoints, sourceLocation: sourceLocation)
    #expect(quick.rootHash == full.rootHash, sourceLocation: sourceLocation)
    return quick
}

/// Returns whether the quicker proof accepts each license entry of a ledger file, by entry index.
private func quickProofs(_ path: String, keys: TrustedKeySet) throws -> [Int64: Bool] {
    let database = try Database(path: path, readOnly: true)
    let entries = try database.packedQuery(
        "SELECT entry_index, kind, recorded_at, operator, entry_bytes, leaf_hash FROM ledger_entries ORDER BY rowid")
    let licenses = try database.packedQuery(
        "SELECT " + EntryPrecheck.licenseQueryColumns.joined(separator: ", ") + " FROM licenses")
    var proofs: [Int64: Bool] = [:]
    for licenseRow in 0..<licenses.count {
        let index = try #require(licenses.integer(licenseRow, EntryPrecheck.entryIndexColumn))
        let row = try #require((0..<entries.count).first { entries.integer($0, 0) == index })
        proofs[index] = CanonicalLicenseEntry.accepts(
            entries: entries, row: row, licenses: licenses, licenseRow: licenseRow, keys: keys)
    }
    return proofs
}

/// One change to a copy of the audited ledger, made with plain SQL and the write guards
/// dropped, as someone editing the file would.
struct RowTampering: CustomTestStringConvertible, Sendable {
    let name: String
    let sql: String

    var testDescription: String { name }

    static let minted = "VUPT-00000004"
    static let renewed = "VUPT-00000011"

    static func license(_ name: String, _ assignment: String, serial: String = minted) -> RowTampering {
        RowTampering(
            name: name,
            sql: """
                DROP TRIGGER licenses_no_update;
                PRAGMA ignore_check_constraints = ON;
                UPDATE licenses SET \(assignment) WHERE serial = '\(serial)';
                """)
    }

    static func entry(_ name: String, _ assignment: String, serial: String = minted) -> RowTampering {
        RowTampering(
            name: name,
            sql: """
                DROP TRIGGER ledger_entries_no_update;
                UPDATE ledger_entries SET \(assignment)
                WHERE entry_index = (SELECT entry_index FROM licenses WHERE serial = '\(serial)');
                """)
    }

    static let all: [RowTampering] = [
        license("serial", "serial = 'VUPT-99999999'"),
        license("subscription", "subscription_id = 'another-subscription'"),
        license("sequence", "sequence = 2"),
        license("supersedes on a new license", "supersedes = 'VUPT-00000001'"),
        license("supersedes removed from a renewal", "supersedes = NULL", serial: renewed),
        license("customer id", "customer_id = 'someone-else'"),
        license("customer name", "customer_name = customer_name || ' '"),
        license("customer name with a quote", "customer_name = 'ACME \"Corp\"'"),
        license("tier", "tier = 'gold'"),
        license("tier upgraded", "tier = 'enterprise'"),
        license("seats", "seats = 11"),
        license("zero seats", "seats = 0"),
        license("features", "features = '[]'"),
        license("features repeated", "features = '[\"kanban\",\"kanban\"]'"),
        license("features with a space", "features = replace(features, ',', ', ')"),
        license("installation", "installation_id = 'host-1'"),
        license("issued at", "issued_at = '2026-01-15T09:00:01Z'"),
        license("impossible date", "issued_at = '2026-02-30T09:00:00Z'"),
        license("end before start", "not_after = not_before"),
        license("not before", "not_before = '2026-01-15T09:00:01Z'"),
        license("grace days", "grace_days = 31"),
        license("grace days over the limit", "grace_days = 400"),
        license("key id", "key_id = 'k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'"),
        license("token", "token = replace(token, 'v4.public.', 'v4.public.A')"),
        license("token of another license", "token = (SELECT token FROM licenses WHERE serial = 'VUPT-00000005')"),
        license("operator", "operator = 'mallory'"),
        license("serial number", "serial_number = serial_number + 100"),
        RowTampering(
            name: "licenses row deleted",
            sql: "DROP TRIGGER licenses_no_delete; DELETE FROM licenses WHERE serial = '\(minted)';"),
        entry("entry operator", "operator = 'mallory'"),
        entry("entry time", "recorded_at = '2026-01-15T09:00:01Z'"),
        entry("entry kind", "kind = 'license-renewed'"),
        entry("entry kind of a renewal", "kind = 'license-minted'", serial: renewed),
        entry("entry bytes", "entry_bytes = CAST(replace(CAST(entry_bytes AS TEXT), 'alice', 'mallory') AS BLOB)"),
    ]
}

/// Mints one license whose customer name and operator contain letters outside ASCII.
private func mintUnicodeLicense(_ fixture: LedgerFixture) throws {
    let ledger = try fixture.open()
    var request = LedgerFixture.request(customerID: "muller")
    request.customerName = "Müller & Söhne GmbH, 株式会社"
    _ = try ledger.mint(request, key: fixture.key, operatorName: "Zoë", now: LedgerFixture.now)
}

@Suite struct CanonicalLicenseEntryTests {
    @Test func ordinaryLicensesTakeQuickProof() throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let proofs = try quickProofs(built.path, keys: built.fixture.trustedKeys)

        #expect(proofs.count == 13)
        #expect(proofs.values.allSatisfy { $0 })
        let report = try auditBothWays(built.path, keys: built.fixture.trustedKeys)
        #expect(report.isIntact)
        #expect(report.licenses == 13)
    }

    @Test func escapedTextTakesFullCheck() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        let names = ["Müller & Söhne GmbH", #"ACME "Nord" Ltd"#, #"Back\slash AG"#, "株式会社テスト"]
        do {
            let ledger = try fixture.open()
            for (number, name) in names.enumerated() {
                var request = LedgerFixture.request(customerID: "customer-\(number)")
                request.customerName = name
                request.installationID = "host-\(number)"
                _ = try ledger.mint(request, key: fixture.key, operatorName: #"bob "the auditor""#, now: LedgerFixture.now)
            }
        }
        let proofs = try quickProofs(fixture.path, keys: fixture.trustedKeys)

        // Plain UTF-8 needs no escape; the operator's quotes do, so every entry here falls back.
        #expect(proofs.count == names.count)
        #expect(proofs.values.allSatisfy { !$0 })
        let report = try auditBothWays(fixture.path, keys: fixture.trustedKeys)
        #expect(report.isIntact, "\(report.problem.map(String.init(describing:)) ?? "")")
        #expect(report.licenses == names.count)
    }

    @Test func plainUnicodeTakesQuickProof() throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        try mintUnicodeLicense(fixture)
        let proofs = try quickProofs(fixture.path, keys: fixture.trustedKeys)

        #expect(proofs.count == 1)
        #expect(proofs.values.allSatisfy { $0 })
        #expect(try auditBothWays(fixture.path, keys: fixture.trustedKeys).isIntact)
    }

    /// Edits that keep the text canonically equivalent, which Swift's `==` treats as equal.
    @Test(arguments: [
        ("decomposed name", "UPDATE licenses SET customer_name = 'Mu' || char(776) || 'ller & So' || char(776) || 'hne GmbH, 株式会社'"),
        ("compatibility ideograph", "UPDATE licenses SET customer_name = replace(customer_name, char(31038), char(64076))"),
        ("decomposed entry operator", "UPDATE ledger_entries SET operator = 'Zoe' || char(776)"),
        ("decomposed license operator", "UPDATE licenses SET operator = 'Zoe' || char(776)"),
    ])
    func equivalentUnicodeEditsDetected(_ name: String, _ sql: String) throws {
        let fixture = try LedgerFixture()
        defer { fixture.remove() }
        try mintUnicodeLicense(fixture)
        let copy = fixture.folder.appendingPathComponent("tampered.sqlite").path
        try FileManager.default.copyItem(atPath: fixture.path, toPath: copy)
        do {
            let database = try Database(path: copy, create: false)
            try database.execute("DROP TRIGGER licenses_no_update; DROP TRIGGER ledger_entries_no_update; \(sql);")
        }

        let report = try auditBothWays(copy, keys: fixture.trustedKeys)
        #expect(report.problem?.finding == .edited, "\(name)")
    }

    @Test(arguments: RowTampering.all)
    func tamperedRowsReportSameBothWays(_ tampering: RowTampering) throws {
        let built = try AuditedLedger.build()
        defer { built.remove() }
        let copy = built.fixture.folder.appendingPathComponent("tampered.sqlite").path
        try FileManager.default.copyItem(atPath: built.path, toPath: copy)
        do {
            let database = try Database(path: copy, create: false)
            try database.execute(tampering.sql)
        }

        let report = try auditBothWays(copy, keys: built.fixture.trustedKeys)
        #expect(!report.isIntact)
    }

    @Test func claimTimesMatchTimestampParser() {
        let samples = [
            "2026-01-15T09:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z",
            "2024-02-29T12:00:00Z", "2026-02-29T12:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-15T24:00:00Z",
            "2026-01-15T23:60:00Z", "2026-01-15T23:59:60Z", "2026-01-15t09:00:00Z", "2026-01-15T09:00:00z",
            "2026-01-15 09:00:00Z", "2026-1-15T09:00:00Z", "2026-01-15T09:00:00+00", "+026-01-15T09:00:00Z",
            "2026-01-15T09:00:0AZ", "2026-01-15T09:00:00.5Z", "2026/01/15T09:00:00Z", "",
        ]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let quick = bytes.withUnsafeBufferPointer { CanonicalLicenseEntry.isClaimTime($0) }
            let parsed = Timestamp(rfc3339UTC: sample).map(Timestamp.supportedRange.contains) ?? false
            #expect(quick == parsed, "\(sample)")
        }
    }

    @Test func featureListsMatchClaimRules() {
        let samples: [(text: String, plain: Bool)] = [
            ("[]", true), (#"["kanban"]"#, true), (#"["desktop-app","kanban","cost-analytics"]"#, true),
            (#"["kanban","kanban"]"#, false), (#"["a","b","a"]"#, false), (#"["ab","a"]"#, true), (#"["a","ab"]"#, true),
            (#"[""]"#, false), (#"["kanban",]"#, false), (#"[,"kanban"]"#, false), (#"["kanban" ]"#, false),
            (#"["kan\"ban"]"#, false), (#"["café"]"#, false), (#"["kanban""#, false), (#""kanban"]"#, false),
            ("[", false), ("", false), (#"["a"]]"#, false),
            ("[" + (1...64).map { #""f\#($0)""# }.joined(separator: ",") + "]", true),
            ("[" + (1...65).map { #""f\#($0)""# }.joined(separator: ",") + "]", false),
            (#"[""# + String(repeating: "x", count: 256) + #""]"#, true),
            (#"[""# + String(repeating: "x", count: 257) + #""]"#, false),
        ]
        for sample in samples {
            let bytes = Array(sample.text.utf8)
            let plain = bytes.withUnsafeBufferPointer { CanonicalLicenseEntry.isPlainFeatureList($0) }
            #expect(plain == sample.plain, "\(sample.text.prefix(80))")
        }
    }
}

/// A license signed with claims that the minting code would never write, so that the rules
/// the quicker proof applies to the `licenses` row are compared with the claims decoder's.
struct SignedClaimsCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Whether the full check accepts the entry.
    let fullAccepts: Bool
    let change: @Sendable (inout [(key: String, value: JSONValue)]) -> Void

    var testDescription: String { name }

    static func set(_ name: String, _ key: String, _ value: JSONValue, fullAccepts: Bool = false) -> SignedClaimsCase {
        SignedClaimsCase(name: name, fullAccepts: fullAccepts) { members in
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = value
            } else {
                members.insert((key, value), at: members.firstIndex { $0.key == "ledgerIndex" }!)
            }
        }
    }

    static let all: [SignedClaimsCase] = [
        SignedClaimsCase(name: "as the ledger writes it", fullAccepts: true) { _ in },
        set("zero seats", "seats", .integer(0)),
        set("seats over the limit", "seats", .integer(LicenseClaims.maximumSeats + 1)),
        set("seats at the limit", "seats", .integer(LicenseClaims.maximumSeats), fullAccepts: true),
        set("seats as text", "seats", .string("10")),
        set("seats with a leading zero", "seats", .number("010")),
        set("negative grace days", "graceDays", .integer(-1)),
        set("grace days over the limit", "graceDays", .integer(LicenseClaims.maximumGracePeriodDays + 1)),
        set("sequence zero", "sequence", .integer(0)),
        set("sequence 2 without supersedes", "sequence", .integer(2)),
        set("supersedes on sequence 1", "supersedes", .string("VUPT-00000001")),
        set("unknown tier", "tier", .string("gold")),
        set("features repeated", "features", .array([.string("kanban"), .string("kanban")])),
        set("too many features", "features", .array((1...65).map { .string("f\($0)") })),
        set("empty feature name", "features", .array([.string("")])),
        set("empty customer name", "customerName", .string("")),
        set("customer name over the limit", "customerName", .string(String(repeating: "x", count: 257))),
        set("customer name at the limit", "customerName", .string(String(repeating: "x", count: 256)), fullAccepts: true),
        set("start equals end", "nbf", .string("2027-01-15T09:00:00Z")),
        set("issued before 1970", "iat", .string("1969-12-31T23:59:59Z")),
        set("time with a lowercase t", "iat", .string("2026-01-15t09:00:00Z")),
        set("telemetry on", "telemetry", .bool(true)),
        set("another ledger index", "ledgerIndex", .integer(8)),
        set("empty issuer", "iss", .string("")),
        set("issuer with an escape", "iss", .string("Vendor \"Inc\""), fullAccepts: true),
        set("issuer in UTF-8", "iss", .string("Vendør AS"), fullAccepts: true),
        set("an extra claim", "extra", .integer(1), fullAccepts: true),
        SignedClaimsCase(name: "claims in another order", fullAccepts: true) { members in members.swapAt(0, 1) },
    ]
}

@Suite struct CanonicalLicenseRulesTests {
    /// Returns the payload members `LicenseClaims.payloadJSON()` writes for a license at entry 7.
    static func baseMembers() throws -> [(key: String, value: JSONValue)] {
        let claims = LicenseClaims(
            issuer: "Vupt Test Vendor", customerID: "acme-corp", serial: "VUPT-00000007",
            issuedAt: LedgerFixture.now, notBefore: LedgerFixture.now,
            notAfter: try time("2027-01-15T09:00:00Z"), customerName: "ACME Corp", tier: .business,
            features: ["desktop-app", "kanban"], seats: 10, gracePeriodDays: 30, subscriptionID: "SUB-7",
            sequence: 1, supersedes: nil, installationID: nil, ledgerIndex: 7)
        guard case .object(let members) = try JSONValue.parse(claims.payloadJSON()) else {
            throw ArtifactError.invalidEncoding("not an object")
        }
        return members
    }

    @Test(arguments: SignedClaimsCase.all)
    func quickProofFollowsClaimRules(_ testCase: SignedClaimsCase) throws {
        let key = try Ed25519.SecretKey.generate()
        let keys = TrustedKeySet([TrustedKey(name: "vendor", publicKey: key.publicKey, source: .compiledIn)])
        let keyID = PASERK.publicKeyID(key.publicKey)
        var members = try Self.baseMembers()
        testCase.change(&members)
        let token = ArtifactSigner.sign(payload: JSONValue.object(members).serialized(), kind: .license, key: key)

        // The rows hold the claims as the ledger stores them, so that only the rules differ.
        func claim(_ name: String) -> SQLiteValue {
            switch members.first(where: { $0.key == name })?.value {
            case .string(let text)?: return .text(text)
            case .number(let literal)?: return Int64(literal).map { .integer($0) } ?? .text(literal)
            case .array(let elements)?: return .text(String(decoding: JSONValue.array(elements).serialized(), as: UTF8.self))
            case .bool(let flag)?: return .integer(flag ? 1 : 0)
            case .null?, .object?, nil: return .null
            }
        }
        var sequence: Int64 = 1
        if case .integer(let number) = claim("sequence") { sequence = number }
        let kind: LedgerEntryKind = sequence == 1 ? .licenseMinted : .licenseRenewed
        let recordedAt = LedgerFixture.now
        let entryBytes = LedgerEntry.encode(
            index: 7, kind: kind, recordedAt: recordedAt, operatorName: "alice",
            fields: [
                ("serial", .string("VUPT-00000007")), ("customer", .string("acme-corp")), ("keyId", .string(keyID)),
                ("token", .string(token)),
            ])

        let database = try Database(path: ":memory:")
        try database.execute("""
            CREATE TABLE e (entry_index, kind, recorded_at, operator, entry_bytes, leaf_hash);
            CREATE TABLE l (\(EntryPrecheck.licenseQueryColumns.joined(separator: ", ")));
            """)
        try database.run(
            "INSERT INTO e VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(7), .text(kind.rawValue), .text(recordedAt.rfc3339), .text("alice"), .blob(entryBytes),
             .blob(MerkleTree.leafHash(entryBytes))])
        let row: [SQLiteValue] = [
            .text("VUPT-00000007"), claim("subscription"), claim("sequence"), claim("supersedes"), claim("sub"),
            claim("customerName"), claim("tier"), claim("seats"), claim("features"), claim("installation"),
            claim("iat"), claim("nbf"), claim("exp"), claim("graceDays"), .text(keyID), .text(token), .integer(7),
            .text("alice"), .integer(7),
        ]
        try database.run("INSERT INTO l VALUES (" + Array(repeating: "?", count: row.count).joined(separator: ", ") + ")", row)
        let entries = try database.packedQuery("SELECT * FROM e")
        let licenses = try database.packedQuery("SELECT * FROM l")

        let quick = CanonicalLicenseEntry.accepts(entries: entries, row: 0, licenses: licenses, licenseRow: 0, keys: keys)
        let precheck = EntryPrecheck(
            entries: entries, row: 0, licenses: licenses, licenseRow: 0, keys: keys, quickProof: false)
        var report = AuditReport()
        let full = (try? EntryChecker(database: database, keys: keys).check(
            row: entries.row(0), precheck: precheck, report: &report)) != nil

        #expect(full == testCase.fullAccepts)
        #expect(!quick || full, "the quick proof accepted what the full check refuses")
        if testCase.name == "as the ledger writes it" { #expect(quick) }
    }
}
