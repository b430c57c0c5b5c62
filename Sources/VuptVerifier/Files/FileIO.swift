#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Errors reading or writing files, with the path and the operating system's reason.
public enum FileError: Error, Equatable, Sendable {
    case notFound(path: String)
    case permissionDenied(path: String)
    case tooLarge(path: String, limit: Int)
    case isDirectory(path: String)
    case alreadyExists(path: String)
    /// Creating the file or its folder failed.
    case cannotCreate(path: String, reason: String)
    /// Any other read, write or sync failure.
    case io(path: String, reason: String)
}

extension FileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): file not found"
        case .permissionDenied(let path): return "\(path): permission denied"
        case let .tooLarge(path, limit): return "\(path): file is over the \(limit)-byte limit"
        case .isDirectory(let path): return "\(path): is a folder, expected a file"
        case .alreadyExists(let path): return "\(path): already exists"
        case let .cannotCreate(path, reason): return "\(path): cannot create: \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}

/// POSIX file operations with the durability rules the toolkit relies on.
public enum FileIO {
    static func reason() -> String { String(cString: strerror(errno)) }

    /// Reads a whole file, refusing files larger than `limit` bytes without reading them.
    public static func read(_ path: String, limit: Int) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw .notFound(path: path)
            case EACCES, EPERM: throw .permissionDenied(path: path)
            default: throw .io(path: path, reason: reason())
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(path: path, reason: reason()) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > limit { throw .tooLarge(path: path, limit: limit) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: reason())
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            // Devices and pipes report no size up front, so the limit is checked as data arrives.
            if bytes.count > limit { throw .tooLarge(path: path, limit: limit) }
        }
        return bytes
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a folder and its missing parents. New folders get `mode`; existing ones keep theirs.
    public static func createDirectory(_ path: String, mode: mode_t = 0o700) throws(FileError) {
        if isDirectory(path) { return }
        let parent = directoryName(of: path)
        if parent != path, !parent.isEmpty, !isDirectory(parent) { try createDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw .cannotCreate(path: path, reason: reason())
        }
    }

    /// Writes `bytes` so that `path` contains either its old content or all of the new content,
    /// even across a crash: temp file in the same folder, fsync, rename, fsync of the folder.
    ///
    /// A device or pipe, such as `/dev/null`, is written in place instead, and a folder
    /// is an error. With `overwrite` false an existing file is an error, and the check and the rename
    /// are one step (`link` + `unlink`), so two writers cannot both succeed.
    public static func writeAtomically(
        _ path: String, bytes: [UInt8], mode: mode_t = 0o644, overwrite: Bool = true
    ) throws(FileError) {
        // Renaming a temp file over a device would replace the device with a regular file.
        var existing = stat()
        if stat(path, &existing) == 0 {
            let type = existing.st_mode & S_IFMT
            if type == S_IFDIR { throw .isDirectory(path: path) }
            if type == S_IFCHR || type == S_IFIFO {
                guard overwrite else { throw .alreadyExists(path: path) }
                try writeInPlace(path, bytes: bytes)
                return
            }
        }
        let folder = directoryName(of: path)
        var template = Array("\(folder)/.\(baseName(of: path)).tmp-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            if errno == EACCES || errno == EPERM || errno == EROFS {
                throw .cannotCreate(path: path, reason: reason())
            }
            if errno == ENOENT { throw .cannotCreate(path: path, reason: "folder \(folder) does not exist") }
            throw .cannotCreate(path: path, reason: reason())
        }
        let temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporaryPath) }
        }
        do {
            defer { close(descriptor) }
            guard fchmod(descriptor, mode) == 0 else { throw FileError.io(path: temporaryPath, reason: reason()) }
            var written = 0
            while written < bytes.count {
                let count = bytes.withUnsafeBytes { buffer in
                    Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileError.io(path: path, reason: "write failed: \(reason())")
                }
                written += count
            }
            guard fsync(descriptor) == 0 else { throw FileError.io(path: path, reason: "fsync failed: \(reason())") }
        }
        TestHooks.pause(at: "atomic-write-before-rename")
        if overwrite {
            guard Glibc.rename(temporaryPath, path) == 0 else { throw .cannotCreate(path: path, reason: reason()) }
        } else {
            guard link(temporaryPath, path) == 0 else {
                if errno == EEXIST { throw .alreadyExists(path: path) }
                throw .cannotCreate(path: path, reason: reason())
            }
            unlink(temporaryPath)
        }
        succeeded = true
        try syncDirectory(folder)
    }

    private static func writeInPlace(_ path: String, bytes: [UInt8]) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotCreate(path: path, reason: reason()) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: "write failed: \(reason())")
            }
            written += count
        }
    }

    /// Flushes a folder's entries, so that a rename in it survives a crash.
    public static func syncDirectory(_ path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, reason: reason()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: path, reason: "fsync failed: \(reason())") }
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    public static func rename(_ from: String, to: String) throws(FileError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(path: from, reason: reason()) }
    }

    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Returns `name` inside `directory`, with one slash between them however the
    /// directory was typed (`renewals` or `renewals/`).
    public static func path(_ name: String, in directory: String) -> String {
        var base = Substring(directory)
        while base.count > 1, base.hasSuffix("/") { base = base.dropLast() }
        return base == "/" ? "/" + name : base + "/" + name
    }

    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Returns the names in a folder, sorted, without `.` and `..`.
    public static func listDirectory(_ path: String) throws(FileError) -> [String] {
        guard let directory = opendir(path) else {
            switch errno {
            case ENOENT: throw .notFound(path: path)
            case EACCES: throw .permissionDenied(path: path)
            default: throw .io(path: path, reason: reason())
            }
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                String(cString: buffer.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Returns the permission bits of a file or folder.
    public static func permissions(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// Pauses at named points when `VUPT_TEST_PAUSE_AT` names one, so that crash tests can
/// kill the process at an exact step. It does nothing when the variable is unset.
public enum TestHooks {
    public static func pause(at point: String) {
        guard let requested = FileIO.environment("VUPT_TEST_PAUSE_AT"), requested == point else { return }
        // The marker file signals to the test that this step has been reached.
        if let marker = FileIO.environment("VUPT_TEST_PAUSE_MARKER") {
            let descriptor = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        while true { sleep(60) }
    }
}

extension FileIO {
    /// True when the process may create files in `path`.
    public static func isWritableDirectory(_ path: String) -> Bool {
        isDirectory(path) && access(path, W_OK | X_OK) == 0
    }
}

extension FileIO {
    public static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}

extension FileIO {
    /// Returns the size in bytes of a regular file, or nil.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}
