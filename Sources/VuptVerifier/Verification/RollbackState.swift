/// The customer-side memory of the latest time this host has trusted: the highest host
/// clock reading seen at verification and the highest `iat` of any verified license.
///
/// It lives in one small JSON file, replaced atomically. Without the file a check starts
/// fresh, so deleting it forgets past readings; no offline check can do better, because
/// the host has no other source of time.
public struct RollbackState: Equatable, Sendable {
    public var lastTrustedTime: Timestamp

    public init(lastTrustedTime: Timestamp) {
        self.lastTrustedTime = lastTrustedTime
    }

    static let maximumFileSize = 4096

    /// The result of loading the state file.
    public enum LoadResult: Equatable, Sendable {
        case missing
        case loaded(RollbackState)
        /// The file was unreadable as state. It was renamed to `movedTo` and a fresh
        /// state starts.
        case corrupt(movedTo: String?)
    }

    /// Loads the state at `path`, moving a corrupt file aside instead of failing.
    ///
    /// - Parameter now: the check's host clock reading, which names the moved-aside file.
    public static func load(from path: String, now: Timestamp) -> LoadResult {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, limit: maximumFileSize)
        } catch .notFound {
            return .missing
        } catch {
            return .corrupt(movedTo: moveAside(path, now: now))
        }
        guard let json = try? JSONValue.parse(bytes, maximumDepth: 2),
            case .number("1")? = json["version"],
            case .string(let text)? = json["lastTrustedTime"],
            let time = Timestamp(rfc3339UTC: text)
        else { return .corrupt(movedTo: moveAside(path, now: now)) }
        return .loaded(RollbackState(lastTrustedTime: time))
    }

    /// Renames a corrupt file to `state.json.corrupt-SECONDS`, adding `-N` when a file of
    /// that name is already there, so that no earlier copy is overwritten.
    private static func moveAside(_ path: String, now: Timestamp) -> String? {
        let base = "\(path).corrupt-\(now.secondsSince1970)"
        var aside = base
        var attempt = 1
        while FileIO.exists(aside), attempt < 1000 {
            attempt += 1
            aside = "\(base)-\(attempt)"
        }
        return (try? FileIO.rename(path, to: aside)) != nil ? aside : nil
    }

    /// Writes the state atomically, creating the folder (0700) when missing.
    public func save(to path: String) throws(FileError) {
        try FileIO.createDirectory(FileIO.directoryName(of: path))
        let json = JSONValue.object([
            ("version", .integer(1)),
            ("lastTrustedTime", .string(lastTrustedTime.rfc3339)),
        ])
        try FileIO.writeAtomically(path, bytes: json.serialized() + [0x0A], mode: 0o600)
    }
}
