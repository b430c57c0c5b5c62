import Foundation
import Testing
import VuptTestSupport
import VuptVerifier

private let day: Int64 = 86_400
private let year: Int64 = 365 * day

/// A license store in a fresh temporary folder, with its real `state.json`.
struct TemporaryStore: ~Copyable {
    let directory: URL

    init() throws {
        directory = try TestSupport.makeTemporaryDirectory("vupt-rollback")
    }

    deinit { TestSupport.removeTemporaryDirectory(directory) }

    var statePath: String { LicenseStoreLocation.stateFile(in: directory.path) }

    /// Reads the stored last trusted time. Returns nil when the file is missing or not state JSON.
    func storedTime() -> Timestamp? {
        guard let bytes = FileManager.default.contents(atPath: statePath),
            let json = try? JSONValue.parse(Array(bytes)),
            case .number("1")? = json["version"],
            case .string(let text)? = json["lastTrustedTime"]
        else { return nil }
        return Timestamp(rfc3339UTC: text)
    }

    func stateBytes() -> Data? { FileManager.default.contents(atPath: statePath) }

    func writeState(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: statePath))
    }

    func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }
}

/// iat = nbf = 2026-03-01T00:00:00Z, exp 2027-03-01T00:00:00Z, grace ends 2027-03-31T00:00:00Z.
private let term = LicenseTerm.standard
private let issuedAt = term.notBefore

/// Verifies with `.hostClock` reading `host` and the store's real state file.
private func check(
    _ bytes: [UInt8], host: Timestamp, store: borrowing TemporaryStore,
    options: VerificationOptions = .standard
) -> LicenseVerdict {
    LicenseVerifier.verify(
        licenseBytes: bytes, trustedKeys: TestSigner.shared.trustedKeys, options: options,
        time: .hostClock { host }, stateFile: store.statePath)
}

private let licenseFile = TestSigner.shared.file(term.claims())

/// A state before the check, a host reading, and the state the check must leave.
struct StateRaiseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let stored: Timestamp?
    let host: Timestamp
    let expected: Timestamp

    var testDescription: String { name }
}

let stateRaiseCases: [StateRaiseCase] = [
    .init(name: "missing, host after iat", stored: nil, host: issuedAt.plus(90 * day), expected: issuedAt.plus(90 * day)),
    .init(name: "missing, host behind iat within skew", stored: nil, host: issuedAt.minus(200), expected: issuedAt),
    .init(name: "missing, host far behind iat", stored: nil, host: issuedAt.minus(400 * day), expected: issuedAt),
    .init(name: "stored older than host", stored: issuedAt.plus(10 * day), host: issuedAt.plus(20 * day),
          expected: issuedAt.plus(20 * day)),
    .init(name: "stored newer than host", stored: issuedAt.plus(30 * day), host: issuedAt.plus(20 * day),
          expected: issuedAt.plus(30 * day)),
    .init(name: "stored newer within skew", stored: issuedAt.plus(20 * day + 100), host: issuedAt.plus(20 * day),
          expected: issuedAt.plus(20 * day + 100)),
    .init(name: "iat newer than both", stored: issuedAt.minus(30 * day), host: issuedAt.minus(20 * day),
          expected: issuedAt),
]

/// How far the clock goes back after a check, and whether that is a reported rollback.
struct RollbackCase: Sendable, CustomTestStringConvertible {
    let name: String
    let seconds: Int64
    let skew: Int64
    let reported: Bool

    var testDescription: String { name }
}

let rollbackCases: [RollbackCase] = [
    .init(name: "skew+1 s, default skew", seconds: 301, skew: 300, reported: true),
    .init(name: "skew, default skew", seconds: 300, skew: 300, reported: false),
    .init(name: "skew-1 s, default skew", seconds: 299, skew: 300, reported: false),
    .init(name: "1 s, skew 0", seconds: 1, skew: 0, reported: true),
    .init(name: "skew+1 s, skew 3600", seconds: 3601, skew: 3600, reported: true),
    .init(name: "skew, skew 3600", seconds: 3600, skew: 3600, reported: false),
    .init(name: "skew+1 s, max skew", seconds: 86_401, skew: 86_400, reported: true),
    .init(name: "skew, max skew", seconds: 86_400, skew: 86_400, reported: false),
    .init(name: "10 days", seconds: 10 * day, skew: 300, reported: true),
    .init(name: "2 years", seconds: 2 * year, skew: 300, reported: true),
]

/// A corrupt state file's contents.
struct CorruptStateCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]

    init(_ name: String, _ text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

let corruptStateCases: [CorruptStateCase] = [
    .init("empty file", ""),
    .init("not JSON", "last trusted: yesterday"),
    .init("binary", bytes: [0xFF, 0x00, 0x13, 0x37]),
    .init("JSON array", "[]"),
    .init("no time", #"{"version":1}"#),
    .init("version 2", #"{"version":2,"lastTrustedTime":"2030-01-01T00:00:00Z"}"#),
    .init("time with offset", #"{"version":1,"lastTrustedTime":"2030-01-01T00:00:00+01:00"}"#),
    .init("time as number", #"{"version":1,"lastTrustedTime":1893456000}"#),
    .init("truncated", #"{"version":1,"lastTrustedTime":"2030-01-"#),
    .init(
        "duplicate key",
        #"{"version":1,"lastTrustedTime":"2020-01-01T00:00:00Z","lastTrustedTime":"2030-01-01T00:00:00Z"}"#),
    .init("over 4 KiB", #"{"version":1,"lastTrustedTime":"2030-01-01T00:00:00Z"}"# + String(repeating: " ", count: 5000)),
]

@Suite struct RollbackTests {
    @Test(arguments: stateRaiseCases)
    func stateRaisedToHighest(_ row: StateRaiseCase) throws {
        let store = try TemporaryStore()
        if let stored = row.stored {
            try RollbackState(lastTrustedTime: stored).save(to: store.statePath)
        }

        let verdict = check(licenseFile, host: row.host, store: store)

        #expect(verdict.status != .invalid, "\(row.name): \(verdict.reason ?? "")")
        #expect(store.storedTime() == row.expected, "\(row.name)")
    }

    @Test(arguments: rollbackCases)
    func rollback(_ row: RollbackCase) throws {
        let store = try TemporaryStore()
        let options = try VerificationOptions(clockSkew: row.skew)
        let trusted = issuedAt.plus(180 * day)
        let host = trusted.minus(row.seconds)

        let first = check(licenseFile, host: trusted, store: store, options: options)
        let second = check(licenseFile, host: host, store: store, options: options)

        #expect(first.clockRollback == nil, "\(row.name)")
        #expect(second.hostTime == host, "\(row.name)")
        #expect(second.status == .valid, "\(row.name)")
        #expect(store.storedTime() == trusted, "\(row.name): the state went down")
        #expect(second.evaluatedAt == trusted, "\(row.name)")
        if row.reported {
            #expect(second.clockRollback?.hostTime == host, "\(row.name)")
            #expect(second.clockRollback?.trustedTime == trusted, "\(row.name)")
            #expect(second.warnings.contains { $0.contains(host.rfc3339) }, "\(row.name): \(second.warnings)")
            #expect(second.warnings.contains { $0.contains(trusted.rfc3339) }, "\(row.name): \(second.warnings)")
        } else {
            // Within the skew the instant still stays at the trusted time, but the gap
            // is drift, not a reported rollback.
            #expect(second.clockRollback == nil, "\(row.name)")
            #expect(second.warnings.isEmpty, "\(row.name): \(second.warnings)")
        }
    }

    /// After a check at the grace end, setting the clock back by seconds, days or years
    /// still gives `expired`, evaluated at the grace end.
    @Test(arguments: [Int64(1), 300, 301, 40 * day, 3 * year])
    func expiredStaysExpired(_ rollbackSeconds: Int64) throws {
        let store = try TemporaryStore()
        let host = term.graceEnds.minus(rollbackSeconds)

        let first = check(licenseFile, host: term.graceEnds, store: store)
        let second = check(licenseFile, host: host, store: store)

        #expect(first.status == .expired)
        #expect(second.status == .expired, "rolled back \(rollbackSeconds) s")
        #expect(second.evaluatedAt == term.graceEnds, "rolled back \(rollbackSeconds) s")
        if rollbackSeconds > VerificationOptions.defaultClockSkew {
            #expect(second.clockRollback?.hostTime == host, "rolled back \(rollbackSeconds) s")
            #expect(second.clockRollback?.trustedTime == term.graceEnds, "rolled back \(rollbackSeconds) s")
        } else {
            #expect(second.clockRollback == nil, "rolled back \(rollbackSeconds) s")
        }
        #expect(second.status.permitsUse == false, "rolled back \(rollbackSeconds) s")
    }

    @Test func rollbackByYearsBeforeExpiry() throws {
        let store = try TemporaryStore()
        let later = TestLicenses.time("2031-06-01T00:00:00Z")
        let host = TestLicenses.time("2026-06-01T00:00:00Z")

        _ = check(licenseFile, host: later, store: store)
        let verdict = check(licenseFile, host: host, store: store)

        #expect(verdict.status == .expired)
        #expect(verdict.evaluatedAt == later)
        #expect(verdict.clockRollback?.hostTime == host)
        #expect(verdict.clockRollback?.trustedTime == later)
    }

    @Test func hostClockBefore1970() throws {
        let store = try TemporaryStore()
        let host = TestLicenses.time("1970-01-01T00:00:00Z").minus(165 * day)

        let verdict = check(licenseFile, host: host, store: store)

        #expect(host.secondsSince1970 < 0)
        #expect(verdict.status == .valid)
        #expect(verdict.evaluatedAt == issuedAt)
        #expect(verdict.clockRollback?.hostTime == host)
        #expect(verdict.clockRollback?.trustedTime == issuedAt)
        #expect(verdict.warnings.contains { $0.contains("1969-07-20T00:00:00Z") }, "\(verdict.warnings)")
        #expect(store.storedTime() == issuedAt)
    }

    @Test func hostClockBefore1970WithState() throws {
        let store = try TemporaryStore()
        let trusted = issuedAt.plus(100 * day)
        let host = Timestamp(secondsSince1970: -1)
        try RollbackState(lastTrustedTime: trusted).save(to: store.statePath)

        let verdict = check(licenseFile, host: host, store: store)

        #expect(verdict.status == .valid)
        #expect(verdict.evaluatedAt == trusted)
        #expect(verdict.clockRollback?.hostTime == host)
        #expect(store.storedTime() == trusted)
    }

    /// A clock set past 2100 once raises the state, so the license evaluates at that
    /// reading until the real clock catches up.
    @Test func hostClockAfter2100() throws {
        let store = try TemporaryStore()
        let future = TestLicenses.time("2101-01-01T00:00:00Z")
        let corrected = TestLicenses.time("2026-06-01T00:00:00Z")

        let first = check(licenseFile, host: future, store: store)
        let second = check(licenseFile, host: corrected, store: store)

        #expect(first.status == .expired)
        #expect(first.evaluatedAt == future)
        #expect(first.clockRollback == nil)
        #expect(store.storedTime() == future)
        #expect(second.status == .expired)
        #expect(second.evaluatedAt == future)
        #expect(second.clockRollback?.hostTime == corrected)
        #expect(second.clockRollback?.trustedTime == future)
    }

    @Test func hostClockAfter2100LongLicense() throws {
        let store = try TemporaryStore()
        let future = TestLicenses.time("2101-01-01T00:00:00Z")
        let long = LicenseTerm(
            notBefore: issuedAt, notAfter: LicenseTerm.year2106.notAfter, graceDays: 30)

        let verdict = check(TestSigner.shared.file(long.claims()), host: future, store: store)

        #expect(verdict.status == .valid)
        #expect(verdict.evaluatedAt == future)
        #expect(store.storedTime() == future)
    }

    /// A fixed instant neither reads nor writes the state, even when the state contains
    /// a later time that would otherwise be a rollback.
    @Test func fixedIgnoresState() throws {
        let store = try TemporaryStore()
        let stateText = Array(#"{"version":1,"lastTrustedTime":"2030-01-01T00:00:00Z"}"#.utf8) + [0x0A]
        try store.writeState(stateText)
        let namesBefore = try store.fileNames()
        let instant = issuedAt.plus(10 * day)

        let verdict = LicenseVerifier.verify(
            licenseBytes: licenseFile, trustedKeys: TestSigner.shared.trustedKeys, time: .fixed(instant),
            stateFile: store.statePath)

        #expect(verdict.status == .valid)
        #expect(verdict.evaluatedAt == instant)
        #expect(verdict.hostTime == nil)
        #expect(verdict.clockRollback == nil)
        #expect(store.stateBytes() == Data(stateText))
        #expect(try store.fileNames() == namesBefore)
    }

    @Test func fixedCreatesNoState() throws {
        let store = try TemporaryStore()

        let verdict = LicenseVerifier.verify(
            licenseBytes: licenseFile, trustedKeys: TestSigner.shared.trustedKeys, time: .fixed(issuedAt),
            stateFile: store.statePath)

        #expect(verdict.status == .valid)
        #expect(try store.fileNames() == [])
    }

    @Test func fixedLeavesCorruptState() throws {
        let store = try TemporaryStore()
        try store.writeState(Array("not JSON".utf8))

        let verdict = LicenseVerifier.verify(
            licenseBytes: licenseFile, trustedKeys: TestSigner.shared.trustedKeys, time: .fixed(issuedAt),
            stateFile: store.statePath)

        #expect(verdict.status == .valid)
        #expect(verdict.warnings.isEmpty, "\(verdict.warnings)")
        #expect(try store.fileNames() == ["state.json"])
        #expect(store.stateBytes() == Data("not JSON".utf8))
    }

    @Test(arguments: corruptStateCases)
    func corruptStateMovedAside(_ row: CorruptStateCase) throws {
        let store = try TemporaryStore()
        try store.writeState(row.bytes)
        let host = issuedAt.plus(10 * day)

        let verdict = check(licenseFile, host: host, store: store)
        let names = try store.fileNames()
        let aside = names.filter { $0.hasPrefix("state.json.corrupt-") }

        #expect(verdict.status == .valid, "\(row.name)")
        #expect(verdict.evaluatedAt == host, "\(row.name)")
        #expect(verdict.clockRollback == nil, "\(row.name)")
        #expect(verdict.warnings.count == 1, "\(row.name): \(verdict.warnings)")
        #expect(verdict.warnings.first?.contains(store.statePath) == true, "\(row.name): \(verdict.warnings)")
        #expect(aside.count == 1, "\(row.name): \(names)")
        #expect(names.count == 2, "\(row.name): \(names)")
        if let asideName = aside.first {
            #expect(verdict.warnings.first?.contains(asideName) == true, "\(row.name): \(verdict.warnings)")
            let moved = FileManager.default.contents(atPath: store.directory.appendingPathComponent(asideName).path)
            #expect(moved == Data(row.bytes), "\(row.name): the moved file differs from the corrupt one")
        }
        #expect(store.storedTime() == host, "\(row.name): state.json was not replaced")
    }

    @Test func replacedStateLoadsCleanly() throws {
        let store = try TemporaryStore()
        try store.writeState(Array("not JSON".utf8))
        let host = issuedAt.plus(10 * day)

        _ = check(licenseFile, host: host, store: store)
        let second = check(licenseFile, host: host.plus(60), store: store)

        #expect(second.warnings.isEmpty, "\(second.warnings)")
        #expect(try store.fileNames().filter { $0.hasPrefix("state.json.corrupt-") }.count == 1)
        #expect(store.storedTime() == host.plus(60))
    }

    @Test func missingStateStartsFresh() throws {
        let store = try TemporaryStore()
        let nested = store.directory.appendingPathComponent("vupt/license").path
        let statePath = LicenseStoreLocation.stateFile(in: nested)
        let host = issuedAt.plus(10 * day)

        let verdict = LicenseVerifier.verify(
            licenseBytes: licenseFile, trustedKeys: TestSigner.shared.trustedKeys, time: .hostClock { host },
            stateFile: statePath)
        let written = FileManager.default.contents(atPath: statePath).flatMap { try? JSONValue.parse(Array($0)) }

        #expect(verdict.status == .valid)
        #expect(verdict.evaluatedAt == host)
        #expect(verdict.clockRollback == nil)
        #expect(verdict.warnings.isEmpty, "\(verdict.warnings)")
        #expect(written?["version"] == .number("1"))
        #expect(written?["lastTrustedTime"] == .string(host.rfc3339))
    }

    /// With no state, a host clock behind `iat` by more than the skew evaluates at `iat`.
    @Test(arguments: [
        (Int64(1), Int64(300), false), (299, 300, false), (300, 300, false), (301, 300, true),
        (3600, 3600, false), (3601, 3600, true), (3 * day, 300, true), (10 * year, 300, true),
    ])
    func issueTimeLowerBound(_ behind: Int64, _ skew: Int64, _ reported: Bool) throws {
        let store = try TemporaryStore()
        let host = issuedAt.minus(behind)
        let label = "\(behind) s behind iat, skew \(skew)"

        let verdict = check(licenseFile, host: host, store: store, options: try VerificationOptions(clockSkew: skew))

        #expect(verdict.status == .valid, "\(label)")
        #expect(verdict.hostTime == host, "\(label)")
        #expect(store.storedTime() == issuedAt, "\(label)")
        if reported {
            #expect(verdict.evaluatedAt == issuedAt, "\(label)")
            #expect(verdict.clockRollback?.hostTime == host, "\(label)")
            #expect(verdict.clockRollback?.trustedTime == issuedAt, "\(label)")
        } else {
            #expect(verdict.evaluatedAt == host, "\(label)")
            #expect(verdict.clockRollback == nil, "\(label)")
        }
    }

    /// `iat` bounds the instant from below but does not move `nbf`.
    @Test func issueTimeBeforeStart() throws {
        let store = try TemporaryStore()
        let start = issuedAt.plus(90 * day)
        let claims = TestLicenses.claims(issuedAt: issuedAt, notBefore: start, notAfter: start.plus(365 * day))
        let host = issuedAt.minus(year)

        let verdict = check(TestSigner.shared.file(claims), host: host, store: store)

        #expect(verdict.status == .notYetValid)
        #expect(verdict.evaluatedAt == issuedAt)
        #expect(verdict.clockRollback?.hostTime == host)
        #expect(verdict.clockRollback?.trustedTime == issuedAt)
    }

    /// A rejected artifact still records the host reading, but never its unverified `iat`.
    @Test func invalidLicenseRecordsHostOnly() throws {
        let store = try TemporaryStore()
        let host = issuedAt.minus(10 * day)
        var token = Array(TestSigner.shared.token(term.claims()))
        let index = PASETOv4Public.header.count + 30
        token[index] = token[index] == "A" ? "B" : "A"
        let tampered = Array(ArmoredFile.armor(token: String(token), kind: .license).utf8)

        let verdict = check(tampered, host: host, store: store)

        #expect(verdict.status == .invalid)
        #expect(verdict.error != nil)
        #expect(store.storedTime() == host)
    }

    @Test func noStateFileWithHostClock() throws {
        let store = try TemporaryStore()
        let host = issuedAt.plus(10 * day)

        let verdict = LicenseVerifier.verify(
            licenseBytes: licenseFile, trustedKeys: TestSigner.shared.trustedKeys, time: .hostClock { host },
            stateFile: nil)

        #expect(verdict.status == .valid)
        #expect(verdict.hostTime == host)
        #expect(try store.fileNames() == [])
    }
}
