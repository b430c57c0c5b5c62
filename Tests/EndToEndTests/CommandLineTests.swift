import Foundation
import Testing
import VuptTestSupport

/// Help, usage errors and exit code 64 of both executables.
struct CommandLineTests {
    /// Every command and subcommand, executable first, as a user types it before `--help`.
    static let commands: [[String]] = [
        ["vupt-issuer"],
        ["vupt-issuer", "keys"],
        ["vupt-issuer", "keys", "generate"],
        ["vupt-issuer", "mint"],
        ["vupt-issuer", "export"],
        ["vupt-issuer", "ledger"],
        ["vupt-issuer", "ledger", "list"],
        ["vupt-license"],
        ["vupt-license", "verify"],
    ]

    /// Commands that parse options, with the arguments they need before an option.
    static let commandsWithOptions: [[String]] = [
        ["vupt-issuer", "keys", "generate"],
        ["vupt-issuer", "mint"],
        ["vupt-issuer", "export", "VUPT-00000001"],
        ["vupt-issuer", "ledger", "list"],
        ["vupt-license", "verify", "license.lic"],
    ]

    @Test(arguments: commands)
    func helpExitsZeroOnStdout(_ command: [String]) throws {
        for flag in ["--help", "-h"] {
            let result = try TestSupport.run(command[0], Array(command.dropFirst()) + [flag])
            #expect(result.exitCode == 0, "\(command.joined(separator: " ")) \(flag)")
            #expect(result.standardOutput.contains("Usage: \(command[0])"), "\(command.joined(separator: " ")) \(flag)")
            #expect(result.standardError.isEmpty, "\(command.joined(separator: " ")) \(flag): \(result.standardError)")
        }
    }

    /// Returns the commands in the "Commands:" section of `EXECUTABLE --help`, without
    /// placeholders such as SERIAL, [FILE] or "...".
    static func listedCommands(_ executable: String) throws -> [[String]] {
        let help = try TestSupport.run(executable, ["--help"]).standardOutput
        var commands: [[String]] = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "Commands:" {
                inSection = true
                continue
            }
            guard inSection else { continue }
            guard line.hasPrefix("  ") else { break }
            // A deeper indent continues the previous command's description.
            if line.hasPrefix("   ") { continue }
            let usage = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0]
            let words = usage.split(separator: " ").map(String.init).filter { $0 != $0.uppercased() }
            commands.append([executable] + words)
        }
        return commands
    }

    /// Catches a command added to the top-level help without its own `--help`.
    @Test(arguments: ["vupt-issuer", "vupt-license"])
    func listedCommandsHaveHelp(_ executable: String) throws {
        let commands = try Self.listedCommands(executable)
        #expect(!commands.isEmpty, "\(executable) --help lists no commands")
        for command in commands {
            let result = try TestSupport.run(command[0], Array(command.dropFirst()) + ["--help"])
            #expect(result.exitCode == 0, "\(command.joined(separator: " ")) --help")
            #expect(result.standardOutput.contains("Usage: "), "\(command.joined(separator: " ")) --help")
        }
    }

    @Test(arguments: commandsWithOptions)
    func unknownOptionExits64(_ command: [String]) throws {
        let workspace = try Workspace("unknown-option")
        defer { workspace.remove() }

        let result = try TestSupport.run(
            command[0], Array(command.dropFirst()) + ["--no-such-option"], environment: workspace.environment,
            currentDirectory: workspace.directory)
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("'--no-such-option'"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test(arguments: ["vupt-issuer", "vupt-license"])
    func unknownCommandExits64(_ executable: String) throws {
        let result = try TestSupport.run(executable, ["frobnicate"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("'frobnicate'"))
    }

    @Test(arguments: ["vupt-issuer", "vupt-license"])
    func noArgumentsExits64(_ executable: String) throws {
        let result = try TestSupport.run(executable, [])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("Usage: \(executable)"))
    }

    /// The repository ships no compiled-in key, so the customer must name one.
    @Test func verifyWithoutTrustedKeyExits64() throws {
        let workspace = try Workspace("no-trusted-key")
        defer { workspace.remove() }
        let license = TestSupport.repositoryRoot.appendingPathComponent("fixtures/licenses/valid.lic").path

        let result = try workspace.license(["verify", license, "--at", "2026-06-01T00:00:00Z"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("no trusted key"))
        #expect(result.standardError.contains("--public-key FILE"))
        #expect(result.standardError.contains("--trust DIR"))
    }

    @Test func invalidAtTimeExits64() throws {
        let workspace = try Workspace("invalid-at")
        defer { workspace.remove() }
        let license = TestSupport.repositoryRoot.appendingPathComponent("fixtures/licenses/valid.lic").path

        let result = try workspace.license(
            ["verify", license, "--public-key", Workspace.testPublicKeyPath, "--at", "2026-13-01"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("invalid --at '2026-13-01'"))
    }
}
