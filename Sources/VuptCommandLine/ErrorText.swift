import VuptVerifier

/// Maps errors that both tools share to a user message and exit code.
public enum ErrorText {
    public static func commandError(for error: FileError) -> CommandError {
        switch error {
        case .notFound(let path): return CommandError("\(path): file not found; check the path", exitCode: ExitCode.inputMissing)
        case .isDirectory: return CommandError("\(error); give a file path", exitCode: ExitCode.inputMissing)
        case .permissionDenied: return CommandError("\(error); check the file's permissions", exitCode: ExitCode.permissionDenied)
        case .tooLarge: return CommandError("\(error)", exitCode: ExitCode.rejected)
        case .alreadyExists: return CommandError("\(error); choose another path or pass --force", exitCode: ExitCode.cannotCreate)
        case .cannotCreate: return CommandError("\(error)", exitCode: ExitCode.cannotCreate)
        case .io: return CommandError("\(error)", exitCode: ExitCode.ioError)
        }
    }

    public static func commandError(for error: ArtifactError, path: String) -> CommandError {
        CommandError("\(path): \(error)", exitCode: ExitCode.rejected)
    }

    /// Reads a `k4.public` file into a trusted key, with command-line errors.
    public static func readTrustedKey(path: String) throws(CommandError) -> TrustedKey {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, limit: 4096)
        } catch {
            throw commandError(for: error)
        }
        do {
            return try TrustedKey(
                name: FileIO.baseName(of: path), paserk: String(decoding: bytes, as: UTF8.self), source: .file(path: path))
        } catch {
            throw CommandError(
                "\(path): not a k4.public key file (\(error)); expected one line 'k4.public.…'",
                exitCode: ExitCode.rejected)
        }
    }

    /// Reads every `*.pub` file in a folder.
    public static func readTrustedKeys(directory: String) throws(CommandError) -> [TrustedKey] {
        let names: [String]
        do {
            names = try FileIO.listDirectory(directory)
        } catch {
            throw commandError(for: error)
        }
        let keys = try names.filter { $0.hasSuffix(".pub") }.map { (name) throws(CommandError) in
            try readTrustedKey(path: FileIO.path(name, in: directory))
        }
        guard !keys.isEmpty else {
            throw CommandError("\(directory): no .pub key files found", exitCode: ExitCode.inputMissing)
        }
        return keys
    }

    /// Runs a tool's main function and exits with its code, printing errors as one line.
    public static func run(program: String, _ body: () throws -> Int32) -> Never {
        let code: Int32
        do {
            code = try body()
        } catch let error as CommandError {
            Console.error("\(program): error: \(error.message)")
            code = error.exitCode
        } catch let error as FileError {
            let mapped = commandError(for: error)
            Console.error("\(program): error: \(mapped.message)")
            code = mapped.exitCode
        } catch {
            Console.error("\(program): error: \(error)")
            code = ExitCode.ioError
        }
        exitProcess(code)
    }
}
