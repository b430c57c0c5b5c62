import Foundation
import Testing
import VuptTestSupport

/// Every input in fixtures/fuzz/TARGET/, seeds and past crash inputs alike, goes through
/// its parser again in the normal build, so a fixed crash stays fixed.
@Suite struct FuzzCorpusReplayTests {
    static let targets = [
        "armored-file", "token", "claims", "paserk", "revocation-list", "signed-note", "inclusion-proof",
    ]

    @Test(arguments: targets)
    func corpusReplaysCleanly(_ target: String) throws {
        let folder = TestSupport.repositoryRoot.appendingPathComponent("fixtures/fuzz/\(target)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .map { folder.appendingPathComponent($0).path }
        try #require(!files.isEmpty, "fixtures/fuzz/\(target) has no inputs")
        let result = try TestSupport.run("vupt-fuzz", [target] + files)
        #expect(result.exitCode == 0, "\(target): \(result.standardError)")
        #expect(result.standardOutput.contains("replayed \(files.count) inputs"))
    }
}
