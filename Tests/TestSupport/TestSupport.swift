import Foundation
import Testing

/// Helpers shared by the test targets: the shared reference folder, temporary folders,
/// and running the built executables.
public enum TestSupport {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository root, or `VUPT_SHARED_DIR` when set.
    public static var sharedDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["VUPT_SHARED_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"] ?? ""
        return !value.isEmpty && value != "0" && value.lowercased() != "false"
    }

    /// Reads a file under the shared folder. Returns nil (the caller skips) when it is
    /// missing outside CI; under CI a missing file is a test failure.
    public static func sharedFile(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) -> Data? {
        let url = sharedDirectory.appendingPathComponent(relativePath)
        if let data = try? Data(contentsOf: url) { return data }
        if isCI {
            Issue.record("\(url.path) is missing; CI must run the vectors from ../shared", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Decodes hex text such as "0a1b".
    public static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a fresh temporary folder, which the caller removes with `removeTemporaryDirectory`.
    public static func makeTemporaryDirectory(_ label: String = "vupt-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    public static func removeTemporaryDirectory(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// The folder that contains the built executables: `VUPT_BIN_DIR`, else the folder of
    /// the running test binary, which SwiftPM places beside the products.
    public static var binaryDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["VUPT_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // The test binary is <bin>/vuptPackageTests.xctest, or inside it on some layouts.
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("vupt-license").path) {
                return url
            }
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The result of running a process.
    public struct ProcessResult: Sendable {
        public let exitCode: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// Runs a built executable (`vupt-license` or `vupt-issuer`) and waits for it.
    ///
    /// - Parameters:
    ///   - environment: added to a minimal environment (PATH, HOME) so that the caller's
    ///     variables such as VUPT_ISSUER_PASSPHRASE never leak in by accident.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, standardInput: Data? = nil
    ) throws -> ProcessResult {
        let url = executable.hasPrefix("/") ? URL(fileURLWithPath: executable)
            : binaryDirectory.appendingPathComponent(executable)
        return try runProcess(url, arguments, environment: environment, currentDirectory: currentDirectory,
                              standardInput: standardInput)
    }

    public static func runProcess(
        _ url: URL, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, standardInput: Data? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var base = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
        ]
        for (key, value) in environment { base[key] = value }
        process.environment = base
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let standardInput { inputPipe.fileHandleForWriting.write(standardInput) }
        try? inputPipe.fileHandleForWriting.close()
        // Read both pipes before waiting, so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var output = Data()
        nonisolated(unsafe) var errors = Data()
        group.enter()
        DispatchQueue.global().async {
            output = outputPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            exitCode: process.terminationStatus,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: errors, as: UTF8.self))
    }
}

/// A PASETO or PASERK test-vector file: `{"name": …, "tests": [ … ]}`.
public struct VectorFile<Case: Decodable>: Decodable {
    public let name: String
    public let tests: [Case]

    /// Decodes `vectors/paseto/<fileName>` from the shared folder, or returns nil when the
    /// file is missing outside CI (`TestSupport.sharedFile` records the failure under CI).
    public static func load(_ fileName: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Case]? {
        let path = "vectors/paseto/\(fileName)"
        guard let data = TestSupport.sharedFile(path, sourceLocation: sourceLocation) else { return nil }
        return try JSONDecoder().decode(VectorFile<Case>.self, from: data).tests
    }
}
