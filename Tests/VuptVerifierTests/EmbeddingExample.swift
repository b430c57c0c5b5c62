import Foundation
import Testing
import VuptTestSupport

// The lines between the BEGIN and END markers are the complete example in
// docs/EMBEDDING.md, character for character. EmbeddingExampleTests checks that they
// match and runs the example.
// BEGIN EMBEDDING EXAMPLE
import VuptVerifier

/// What the application does after its license check.
struct LicenseDecision {
    /// True when the application may start.
    var mayRun: Bool
    /// Text for the user, or nil when there is nothing to show.
    var message: String?
    /// Lines for the application log.
    var logLines: [String]
}

/// Checks the installed license once, at startup.
///
/// - Parameters:
///   - licensePath: the installed license file.
///   - storeDirectory: a folder that survives restarts, for the rollback state.
///   - vendorKey: the vendor's `k4.public` key, compiled into the application.
///   - installationID: this host's id, for licenses bound to one installation.
///   - time: `.system` in production.
func checkLicense(
    licensePath: String,
    storeDirectory: String,
    vendorKey: String,
    installationID: String?,
    time: VerificationTime = .system
) -> LicenseDecision {
    let trustedKeys: TrustedKeySet
    do {
        trustedKeys = TrustedKeySet([try TrustedKey(name: "vendor", paserk: vendorKey, source: .compiledIn)])
    } catch {
        return LicenseDecision(mayRun: false, message: "The built-in vendor key is invalid: \(error).", logLines: [])
    }

    let bytes: [UInt8]
    do {
        bytes = try FileIO.read(licensePath, limit: ArmoredFile.maximumFileSize)
    } catch .notFound {
        return LicenseDecision(mayRun: false, message: "No license is installed at \(licensePath).", logLines: [])
    } catch {
        return LicenseDecision(mayRun: false, message: "The license file cannot be read: \(error).", logLines: [])
    }

    var options = VerificationOptions.standard
    options.installationID = installationID

    let verdict = LicenseVerifier.verify(
        licenseBytes: bytes,
        trustedKeys: trustedKeys,
        options: options,
        time: time,
        stateFile: LicenseStoreLocation.stateFile(in: storeDirectory))

    // Warnings cover expiry, grace, clock rollback and an unreadable or unsaved state file.
    var decision = LicenseDecision(mayRun: verdict.status.permitsUse, message: nil, logLines: verdict.warnings)
    let reason = verdict.reason ?? verdict.status.rawValue

    switch verdict.status {
    case .valid:
        break
    case .expiring:
        let days = verdict.daysRemaining ?? 0
        decision.message = "Your license expires in \(days) days. Import a renewal to keep working."
    case .grace:
        let end = verdict.graceEnds?.rfc3339 ?? "soon"
        decision.message = "YOUR LICENSE HAS EXPIRED. The application stops at \(end) unless a renewal is imported."
    case .notYetValid, .expired:
        decision.message = "The license cannot be used now: \(reason)."
    case .revoked, .superseded, .wrongInstallation:
        decision.message = "This license cannot be used on this installation: \(reason)."
    case .invalid:
        decision.message = "The license file was rejected: \(reason)."
    }

    if let rollback = verdict.clockRollback {
        let clockNote =
            "The system clock (\(rollback.hostTime.rfc3339)) is behind a time this host already trusted "
            + "(\(rollback.trustedTime.rfc3339)). Set the clock correctly."
        decision.message = [decision.message, clockNote].compactMap { $0 }.joined(separator: " ")
    }
    return decision
}
// END EMBEDDING EXAMPLE

/// The example in docs/EMBEDDING.md: the guide shows exactly this file's code, and the
/// code works on real signed licenses.
@Suite struct EmbeddingExampleTests {
    static let beginMarker = "// BEGIN EMBEDDING EXAMPLE"
    static let endMarker = "// END EMBEDDING EXAMPLE"

    /// Returns the lines strictly between the markers in this file.
    static func markedExample() throws -> String {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let begin = try #require(lines.firstIndex(of: beginMarker), "no \(beginMarker) line")
        let end = try #require(lines.firstIndex(of: endMarker), "no \(endMarker) line")
        return lines[(begin + 1)..<end].joined(separator: "\n")
    }

    /// Returns the contents of every ```swift block in docs/EMBEDDING.md.
    static func guideBlocks() throws -> [String] {
        let guide = TestSupport.repositoryRoot.appendingPathComponent("docs/EMBEDDING.md")
        let lines = try String(contentsOf: guide, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [String] = []
        var current: [String]?
        for line in lines {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test func guideShowsExample() throws {
        let example = try Self.markedExample()
        let blocks = try Self.guideBlocks()

        #expect(example.contains("func checkLicense("))
        #expect(
            blocks.contains(example),
            "docs/EMBEDDING.md has no ```swift block equal to the lines between the markers in EmbeddingExample.swift")
    }

    /// One state of an installed license and what the example decides for it.
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let host: Timestamp
        let installationID: String?
        let mayRun: Bool
        /// Text the user message must contain, or nil for no message.
        let message: String?

        var testDescription: String { name }
    }

    static let term = LicenseTerm.standard

    static let scenarios: [Scenario] = [
        .init(name: "valid", host: term.notBefore.plus(86_400), installationID: "host-a", mayRun: true, message: nil),
        .init(name: "expiring", host: term.notAfter.minus(5 * 86_400), installationID: "host-a", mayRun: true,
              message: "expires in 5 days"),
        .init(name: "grace", host: term.notAfter, installationID: "host-a", mayRun: true,
              message: term.graceEnds.rfc3339),
        .init(name: "expired", host: term.graceEnds, installationID: "host-a", mayRun: false,
              message: "cannot be used now"),
        .init(name: "wrong installation", host: term.notBefore.plus(86_400), installationID: "host-b", mayRun: false,
              message: "host-a"),
        .init(name: "clock behind iat", host: term.notBefore.minus(30 * 86_400), installationID: "host-a",
              mayRun: true, message: "Set the clock correctly"),
    ]

    @Test(arguments: scenarios)
    func exampleDecides(_ scenario: Scenario) throws {
        let store = try TemporaryStore()
        let licensePath = store.directory.appendingPathComponent("license.lic").path
        let signer = TestSigner.shared
        try Data(signer.file(Self.term.claims(installationID: "host-a"))).write(to: URL(fileURLWithPath: licensePath))
        let host = scenario.host

        let decision = checkLicense(
            licensePath: licensePath, storeDirectory: store.directory.path,
            vendorKey: PASERK.encodePublic(signer.secretKey.publicKey), installationID: scenario.installationID,
            time: .hostClock { host })

        #expect(decision.mayRun == scenario.mayRun, "\(scenario.name)")
        if let expected = scenario.message {
            #expect(decision.message?.contains(expected) == true, "\(scenario.name): \(decision.message ?? "nil")")
        } else {
            #expect(decision.message == nil, "\(scenario.name): \(decision.message ?? "nil")")
        }
        #expect(store.storedTime() != nil, "\(scenario.name): no rollback state was written")
    }

    @Test func exampleRejectsTamperedFile() throws {
        let store = try TemporaryStore()
        let licensePath = store.directory.appendingPathComponent("license.lic").path
        let signer = TestSigner.shared
        var token = Array(signer.token(Self.term.claims()))
        let index = PASETOv4Public.header.count + 25
        token[index] = token[index] == "A" ? "B" : "A"
        try Data(ArmoredFile.armor(token: String(token), kind: .license).utf8).write(to: URL(fileURLWithPath: licensePath))
        let host = Self.term.notBefore

        let decision = checkLicense(
            licensePath: licensePath, storeDirectory: store.directory.path,
            vendorKey: PASERK.encodePublic(signer.secretKey.publicKey), installationID: nil, time: .hostClock { host })

        #expect(decision.mayRun == false)
        #expect(decision.message?.contains("rejected") == true, "\(decision.message ?? "nil")")
    }

    @Test func exampleReportsMissingLicense() throws {
        let store = try TemporaryStore()
        let licensePath = store.directory.appendingPathComponent("license.lic").path

        let decision = checkLicense(
            licensePath: licensePath, storeDirectory: store.directory.path,
            vendorKey: PASERK.encodePublic(TestSigner.shared.secretKey.publicKey), installationID: nil,
            time: .hostClock { Self.term.notBefore })

        #expect(decision.mayRun == false)
        #expect(decision.message?.contains("No license is installed") == true, "\(decision.message ?? "nil")")
    }
}
