import Foundation
import Testing
import VuptTestSupport

/// One fixture of fixtures/manifest.json and what `vupt-license verify --json` must report.
struct FixtureExpectation: Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let at: String
    let verdict: String
    let exitCode: Int32
    /// A fragment of the reason, or nil for a plain `valid` verdict.
    let message: String?
    /// The serial of the license the verifier picks, or nil for rejected files.
    let serial: String?
    /// For fixtures written at test time: the committed file they start from.
    let source: String?
    /// For fixtures written at test time: the exact size in bytes.
    let size: Int?

    var testDescription: String { name }

    init(_ object: [String: Any]) throws {
        func field<Value>(_ key: String, _ type: Value.Type) throws -> Value {
            guard let value = object[key] as? Value else {
                throw ManifestError("\(object["name"] ?? "an entry"): '\(key)' is missing or not a \(Value.self)")
            }
            return value
        }
        name = try field("name", String.self)
        file = try field("file", String.self)
        at = try field("at", String.self)
        verdict = try field("verdict", String.self)
        exitCode = Int32(try field("exitCode", Int.self))
        message = object["message"] as? String
        serial = object["serial"] as? String
        source = object["source"] as? String
        size = object["size"] as? Int
    }
}

struct ManifestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = "fixtures/manifest.json: \(description)"
    }
}

/// Reads fixtures/manifest.json, which scripts/make-fixtures writes.
enum FixtureManifest {
    static let directory = TestSupport.repositoryRoot.appendingPathComponent("fixtures")
    static let licenses = directory.appendingPathComponent("licenses")

    static func load() throws -> (publicKey: String, fixtures: [FixtureExpectation], generated: [FixtureExpectation]) {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let publicKey = root["publicKey"] as? String,
            let fixtures = root["fixtures"] as? [[String: Any]],
            let generated = root["generatedAtTestTime"] as? [[String: Any]]
        else { throw ManifestError("expected an object with publicKey, fixtures and generatedAtTestTime") }
        return (
            TestSupport.repositoryRoot.appendingPathComponent(publicKey).path,
            try fixtures.map(FixtureExpectation.init), try generated.map(FixtureExpectation.init)
        )
    }

    /// The committed fixtures, or none when the manifest is unreadable. `manifestMatchesFolder`
    /// then fails with the reason.
    static var committed: [FixtureExpectation] { (try? load().fixtures) ?? [] }

    /// Runs `vupt-license verify FILE --public-key KEY --at TIME --json` with the license
    /// store in a temporary folder.
    static func verify(_ path: String, publicKey: String, at: String) throws -> TestSupport.ProcessResult {
        let store = try TestSupport.makeTemporaryDirectory("vupt-e2e-fixture-store")
        defer { TestSupport.removeTemporaryDirectory(store) }
        return try TestSupport.run(
            "vupt-license", ["verify", path, "--public-key", publicKey, "--at", at, "--json"],
            environment: ["VUPT_LICENSE_STORE": store.path])
    }

    /// Checks one run against its expectation. Every message names the fixture.
    static func check(
        _ result: TestSupport.ProcessResult, against fixture: FixtureExpectation,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let name = fixture.name
        #expect(
            result.exitCode == fixture.exitCode, "\(name): exit code \(result.exitCode), stderr: \(result.standardError)",
            sourceLocation: sourceLocation)
        let json = jsonObject(result.standardOutput)
        #expect(json != nil, "\(name): no JSON on stdout; stderr: \(result.standardError)", sourceLocation: sourceLocation)
        guard let json else { return }
        #expect(json["verdict"] as? String == fixture.verdict, "\(name): verdict", sourceLocation: sourceLocation)
        if let message = fixture.message {
            let reason = json["reason"] as? String ?? ""
            #expect(reason.contains(message), "\(name): reason '\(reason)' lacks '\(message)'", sourceLocation: sourceLocation)
        }
        if let serial = fixture.serial {
            #expect(json["serial"] as? String == serial, "\(name): serial", sourceLocation: sourceLocation)
        }
    }
}

struct FixtureManifestTests {
    @Test func manifestMatchesFolder() throws {
        let manifest = try FixtureManifest.load()
        #expect(manifest.fixtures.count >= 20)
        let listed = Set(manifest.fixtures.map(\.file))
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: FixtureManifest.licenses.path))
        #expect(listed.subtracting(present).isEmpty, "listed but missing: \(listed.subtracting(present).sorted())")
        #expect(present.subtracting(listed).isEmpty, "present but not listed: \(present.subtracting(listed).sorted())")
        #expect(Set(manifest.fixtures.map(\.name)).count == manifest.fixtures.count, "fixture names repeat")
    }

    @Test(arguments: FixtureManifest.committed)
    func fixtureMatchesManifest(_ fixture: FixtureExpectation) throws {
        let manifest = try FixtureManifest.load()
        let path = FixtureManifest.licenses.appendingPathComponent(fixture.file).path
        let result = try FixtureManifest.verify(path, publicKey: manifest.publicKey, at: fixture.at)
        FixtureManifest.check(result, against: fixture)
    }

    /// The 2 MiB file is written here instead of being committed.
    @Test func oversizedFileIsRejected() throws {
        let manifest = try FixtureManifest.load()
        let fixture = try #require(manifest.generated.first { $0.name == "oversized" })
        let size = try #require(fixture.size)
        let source = try #require(fixture.source)
        let folder = try TestSupport.makeTemporaryDirectory("vupt-e2e-oversized")
        defer { TestSupport.removeTemporaryDirectory(folder) }

        var bytes = [UInt8](try Data(contentsOf: FixtureManifest.licenses.appendingPathComponent(source)))
        let line = Array(("#" + String(repeating: "x", count: 78) + "\n").utf8)
        while bytes.count + line.count <= size { bytes += line }
        if bytes.count < size { bytes += Array(("#" + String(repeating: "x", count: size - bytes.count - 2) + "\n").utf8) }
        #expect(bytes.count == size)
        let path = folder.appendingPathComponent(fixture.file).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let result = try FixtureManifest.verify(path, publicKey: manifest.publicKey, at: fixture.at)
        #expect(result.exitCode == fixture.exitCode, "oversized: exit code \(result.exitCode)")
        let message = try #require(fixture.message)
        let reason = (jsonObject(result.standardOutput)?["reason"] as? String) ?? result.standardError
        #expect(reason.contains(message), "oversized: '\(reason)' lacks '\(message)'")

        #expect(jsonObject(result.standardOutput)?["verdict"] as? String == fixture.verdict, "oversized: verdict")
        #expect(reason.contains("\(size)"), "oversized: '\(reason)' does not state the size \(size)")
    }
}
