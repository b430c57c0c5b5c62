#if canImport(Glibc)
import Glibc
#endif

/// The customer's store of installed artifacts, one file per artifact:
///
///     STORE/                 mode 0700
///       licenses/SERIAL.lic  one per installed license
///       revocations.rvl      the newest installed revocation list
///       state.json           rollback state (docs/VERIFICATION.md)
///       .lock                held while an import runs
///
/// Nothing in the store is trusted: every file is verified again whenever it is read.
/// Which license is active, pending or superseded is derived from the files at each
/// check's instant, so each single atomic file write moves the store from one
/// consistent state to the next.
public struct LicenseStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var licensesDirectory: String { path + "/licenses" }
    public var revocationListFile: String { path + "/revocations.rvl" }
    public var stateFile: String { LicenseStoreLocation.stateFile(in: path) }
    var lockFile: String { path + "/.lock" }

    func licenseFile(serial: String) -> String { licensesDirectory + "/" + serial + ".lic" }

    /// What the store holds, each file verified.
    public struct Contents: Sendable {
        public var licenses: [VerifiedLicense] = []
        public var revocationList: VerifiedRevocationList?
        /// Files that no longer verify, for example after a trusted key was removed.
        public var rejectedFiles: [(path: String, error: String)] = []
    }

    /// Reads and verifies every artifact in the store. A missing store is empty.
    public func contents(trustedKeys: TrustedKeySet) -> Contents {
        var contents = Contents()
        let names = (try? FileIO.listDirectory(licensesDirectory)) ?? []
        for name in names where name.hasSuffix(".lic") && !name.hasPrefix(".") {
            let file = licensesDirectory + "/" + name
            do {
                let bytes = try FileIO.read(file, limit: ArmoredFile.maximumFileSize)
                contents.licenses.append(try ArtifactVerifier.verifyLicenseFile(bytes, trustedKeys: trustedKeys))
            } catch {
                contents.rejectedFiles.append((file, "\(error)"))
            }
        }
        if FileIO.exists(revocationListFile) {
            do {
                let bytes = try FileIO.read(revocationListFile, limit: ArmoredFile.maximumFileSize)
                let blocks = try ArmoredFile.blocks(in: bytes)
                guard let block = blocks.first(where: { $0.kind == .revocationList }) else {
                    throw ArtifactError.wrongKind(expected: .revocationList, found: blocks[0].kind?.displayName ?? blocks[0].label)
                }
                contents.revocationList = try ArtifactVerifier.verifyRevocationList(
                    token: block.token, trustedKeys: trustedKeys)
            } catch {
                contents.rejectedFiles.append((revocationListFile, "\(error)"))
            }
        }
        return contents
    }
}

// MARK: - Roles

/// A license's place in its subscription at one instant.
public enum LicenseRole: String, Sendable {
    /// The newest license of its subscription whose term has started.
    case active
    /// Newer than the active license, with a term that has not started yet.
    case pending
    /// Older than the active license of its subscription.
    case superseded
}

extension LicenseStore {
    /// Assigns each license its role at the check's instant: per subscription, the
    /// highest sequence whose `nbf` has come (within the skew tolerance) is active,
    /// higher ones are pending and lower ones are superseded by the active one.
    public static func roles(
        of licenses: [VerifiedLicense], clock: CheckClock
    ) -> [(license: VerifiedLicense, role: LicenseRole, supersededBy: String?)] {
        let bySubscription = Dictionary(grouping: licenses, by: { $0.claims.subscriptionID })
        var result: [(license: VerifiedLicense, role: LicenseRole, supersededBy: String?)] = []
        for subscription in bySubscription.keys.sorted() {
            let chain = bySubscription[subscription]!.sorted { $0.claims.sequence > $1.claims.sequence }
            let active = chain.first { license in
                let instant = clock.instant(forIssuedAt: license.claims.issuedAt).instant
                return instant.seconds(since: license.claims.notBefore) >= -clock.clockSkew
            }
            for license in chain {
                guard let active else {
                    result.append((license, .pending, nil))
                    continue
                }
                if license.claims.sequence > active.claims.sequence {
                    result.append((license, .pending, nil))
                } else if license.claims.sequence == active.claims.sequence {
                    result.append((license, .active, nil))
                } else {
                    result.append((license, .superseded, active.claims.serial))
                }
            }
        }
        return result
    }
}

// MARK: - Locking

extension LicenseStore {
    /// Creates the store folders (mode 0700) and takes the store's exclusive lock for
    /// `body`, so that two imports never interleave. Temp files that a killed import
    /// left behind are removed once the lock is held.
    func withExclusiveLock<Result>(_ body: () throws -> Result) throws -> Result {
        try FileIO.createDirectory(path, mode: 0o700)
        try FileIO.createDirectory(licensesDirectory, mode: 0o700)
        let descriptor = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw FileError.cannotCreate(path: lockFile, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileError.io(path: lockFile, reason: String(cString: strerror(errno))) }
        }
        removeStaleTemporaryFiles()
        return try body()
    }

    private func removeStaleTemporaryFiles() {
        for directory in [path, licensesDirectory] {
            for name in (try? FileIO.listDirectory(directory)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
                FileIO.remove(directory + "/" + name)
            }
        }
    }
}
