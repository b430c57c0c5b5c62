/// The result of importing one artifact, or of reading one file that held none.
public struct ImportResult: Sendable {
    public enum Outcome: String, Sendable {
        case accepted
        /// Installed, to become active when its term starts.
        case pending
        case alreadyInstalled = "already-installed"
        /// Verified, but not installable now: older, expired, revoked or for another host.
        case refused
        /// Not a usable artifact: unreadable, malformed, bad signature, unknown key.
        case rejected
    }

    /// The file, with `#N` appended when it held several artifacts.
    public let source: String
    public let kind: ArtifactKind?
    public let serial: String?
    public let outcome: Outcome
    public let message: String
}

extension LicenseStore {
    /// Folders are scanned this many levels deep for artifact files, and no deeper.
    public static let maximumScanDepth = 4
    /// File extensions picked up when scanning a folder. Files named explicitly are read
    /// whatever their extension.
    public static let artifactExtensions = [".lic", ".rvl"]

    /// Expands paths: files stay as given, folders are scanned for artifact files,
    /// sorted, without following symbolic links or entering hidden folders.
    public static func artifactFiles(in paths: [String]) -> [(path: String, error: FileError?)] {
        var files: [(path: String, error: FileError?)] = []
        for path in paths {
            if FileIO.isDirectory(path) {
                scan(path, depth: 1, into: &files)
            } else if FileIO.exists(path) {
                files.append((path, nil))
            } else {
                files.append((path, .notFound(path: path)))
            }
        }
        return files
    }

    private static func scan(_ directory: String, depth: Int, into files: inout [(path: String, error: FileError?)]) {
        let names: [String]
        do {
            names = try FileIO.listDirectory(directory)
        } catch {
            files.append((directory, error))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let child = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if FileIO.isSymbolicLink(child) { continue }
            if FileIO.isDirectory(child) {
                if depth < maximumScanDepth { scan(child, depth: depth + 1, into: &files) }
            } else if artifactExtensions.contains(where: { name.lowercased().hasSuffix($0) }) {
                files.append((child, nil))
            }
        }
    }

    /// Imports every artifact in `paths` at one instant. Each accepted artifact is
    /// written atomically; a failure on one file changes nothing for the others.
    ///
    /// Revocation lists are installed before licenses, so the outcome does not depend on
    /// the order of the files. Results come back in file order.
    public func importArtifacts(
        from paths: [String], trustedKeys: TrustedKeySet, options: VerificationOptions, clock: inout CheckClock
    ) throws -> [ImportResult] {
        try withExclusiveLock {
            var slots: [ImportResult?] = []
            var pending: [(slot: Int, block: ArmoredBlock, source: String)] = []
            for (file, error) in LicenseStore.artifactFiles(in: paths) {
                if let error {
                    let message: String
                    if case .notFound = error { message = "not found; check the path" } else { message = "\(error)" }
                    slots.append(ImportResult(source: file, kind: nil, serial: nil, outcome: .rejected, message: message))
                    continue
                }
                switch readBlocks(file) {
                case .failure(let result):
                    slots.append(result)
                case .success(let blocks):
                    for (offset, block) in blocks.enumerated() {
                        pending.append((slots.count, block, blocks.count > 1 ? "\(file)#\(offset + 1)" : file))
                        slots.append(nil)
                    }
                }
            }

            for item in pending where item.block.kind == .revocationList {
                slots[item.slot] = importRevocationList(item.block, source: item.source, trustedKeys: trustedKeys)
            }
            // Licenses go oldest first within a subscription, so a license and its early
            // renewal on the same stick install as active and pending whatever the file names.
            let licenseOrder = pending.filter { $0.block.kind != .revocationList }.sorted { left, right in
                let leftKey = LicenseStore.sortKey(left.block, trustedKeys: trustedKeys)
                let rightKey = LicenseStore.sortKey(right.block, trustedKeys: trustedKeys)
                return leftKey == rightKey ? left.slot < right.slot : leftKey < rightKey
            }
            for item in licenseOrder {
                guard item.block.kind == .license else {
                    slots[item.slot] = ImportResult(
                        source: item.source, kind: nil, serial: nil, outcome: .rejected,
                        message: "unknown artifact '\(item.block.label)'; expected VUPT LICENSE or VUPT REVOCATION LIST")
                    continue
                }
                slots[item.slot] = importLicense(
                    item.block, source: item.source, trustedKeys: trustedKeys, options: options, clock: &clock)
            }
            clock.save()
            return slots.compactMap { $0 }
        }
    }

    /// Orders license blocks by subscription and sequence; blocks that do not verify keep
    /// their place after the others.
    static func sortKey(_ block: ArmoredBlock, trustedKeys: TrustedKeySet) -> String {
        guard block.kind == .license,
            let claims = try? ArtifactVerifier.verifyLicense(token: block.token, trustedKeys: trustedKeys).claims
        else { return "~" }
        let sequence = String(claims.sequence)
        return claims.subscriptionID + "#" + String(repeating: "0", count: max(0, 12 - sequence.count)) + sequence
    }

    private enum BlockRead {
        case success([ArmoredBlock])
        case failure(ImportResult)
    }

    /// Reads a file's armored blocks; a file holding only a bare token counts as one block.
    private func readBlocks(_ file: String) -> BlockRead {
        do {
            let bytes = try FileIO.read(file, limit: ArmoredFile.maximumFileSize)
            return .success(try ArmoredFile.blocksOrBareToken(in: bytes))
        } catch let error as FileError {
            if case .tooLarge = error {
                let size = FileIO.size(file) ?? ArmoredFile.maximumFileSize + 1
                return .failure(reject(file, ArtifactError.tooLarge(size: size, limit: ArmoredFile.maximumFileSize)))
            }
            return .failure(ImportResult(source: file, kind: nil, serial: nil, outcome: .rejected, message: "\(error)"))
        } catch {
            return .failure(reject(file, error))
        }
    }

    private func reject(_ source: String, _ error: Error, kind: ArtifactKind? = nil) -> ImportResult {
        ImportResult(source: source, kind: kind, serial: nil, outcome: .rejected, message: "\(error)")
    }

    private func importLicense(
        _ block: ArmoredBlock, source: String, trustedKeys: TrustedKeySet, options: VerificationOptions,
        clock: inout CheckClock
    ) -> ImportResult {
        let license: VerifiedLicense
        do {
            license = try ArtifactVerifier.verifyLicense(token: block.token, trustedKeys: trustedKeys)
        } catch {
            return reject(source, error, kind: .license)
        }
        clock.noteVerified(issuedAt: license.claims.issuedAt)
        let claims = license.claims
        func result(_ outcome: ImportResult.Outcome, _ message: String) -> ImportResult {
            ImportResult(source: source, kind: .license, serial: claims.serial, outcome: outcome, message: message)
        }

        let installed = contents(trustedKeys: trustedKeys)
        if let same = installed.licenses.first(where: { $0.claims.serial == claims.serial }) {
            if same.token == license.token {
                // An import killed before its clean-up left older files behind; tidy them now.
                if LicenseVerifier.evaluate(license, clock: clock, options: options).status != .notYetValid {
                    for older in installed.licenses
                    where older.claims.subscriptionID == claims.subscriptionID && older.claims.sequence < claims.sequence {
                        FileIO.remove(licenseFile(serial: older.claims.serial))
                    }
                }
                return result(.alreadyInstalled, "already installed \(claims.serial)")
            }
            return result(.refused, "a different license with serial \(claims.serial) is already installed")
        }
        // Only a license whose term has started makes an older one useless: a pending
        // renewal must not lock out the license that is still in its term.
        let chain = installed.licenses.filter { $0.claims.subscriptionID == claims.subscriptionID }
        let started = LicenseStore.roles(of: chain, clock: clock).filter { $0.role != .pending }.map(\.license)
        if let newest = started.max(by: { $0.claims.sequence < $1.claims.sequence }),
            newest.claims.sequence >= claims.sequence
        {
            return result(
                .refused,
                "\(claims.serial), sequence \(claims.sequence), is older than the installed license "
                    + "\(newest.claims.serial), sequence \(newest.claims.sequence)")
        }

        var checkOptions = options
        if let list = installed.revocationList { checkOptions.revokedSerials = list.list.reasonsBySerial }
        let verdict = LicenseVerifier.evaluate(license, clock: clock, options: checkOptions)
        switch verdict.status {
        case .valid, .expiring, .grace, .notYetValid:
            break
        default:
            return result(.refused, "\(claims.serial) not installed: \(verdict.reason ?? verdict.status.rawValue)")
        }

        let text = ArmoredFile.armor(token: license.token, kind: .license, informationalLines: [
            "Serial:   \(claims.serial)",
            "Customer: \(claims.customerName) (\(claims.customerID))",
            "Valid:    \(claims.notBefore.rfc3339) to \(claims.notAfter.rfc3339)",
        ])
        do {
            try FileIO.writeAtomically(licenseFile(serial: claims.serial), bytes: Array(text.utf8), mode: 0o600)
        } catch {
            return result(.rejected, "\(claims.serial) not installed: \(error)")
        }

        if verdict.status == .notYetValid {
            return result(.pending, "pending \(claims.serial): becomes active at \(claims.notBefore.rfc3339)")
        }
        // The new file alone already makes the older ones superseded. Removing them only
        // tidies the store, so a crash before this point leaves a consistent store.
        TestHooks.pause(at: "import-before-cleanup")
        var replaced: [String] = []
        for older in chain where older.claims.sequence < claims.sequence {
            FileIO.remove(licenseFile(serial: older.claims.serial))
            replaced.append(older.claims.serial)
        }
        var message = "accepted \(claims.serial) for \(claims.customerName), valid until \(claims.notAfter.rfc3339)"
        if !replaced.isEmpty { message += "; replaces \(replaced.joined(separator: ", "))" }
        return result(.accepted, message)
    }

    private func importRevocationList(
        _ block: ArmoredBlock, source: String, trustedKeys: TrustedKeySet
    ) -> ImportResult {
        let verified: VerifiedRevocationList
        do {
            verified = try ArtifactVerifier.verifyRevocationList(token: block.token, trustedKeys: trustedKeys)
        } catch {
            return reject(source, error, kind: .revocationList)
        }
        let number = verified.list.number
        func result(_ outcome: ImportResult.Outcome, _ message: String) -> ImportResult {
            ImportResult(source: source, kind: .revocationList, serial: nil, outcome: outcome, message: message)
        }
        if let installed = contents(trustedKeys: trustedKeys).revocationList {
            if installed.token == verified.token {
                return result(.alreadyInstalled, "already installed revocation list \(number)")
            }
            if installed.list.number >= number {
                return result(
                    .refused,
                    "revocation list \(number) is older than the installed list \(installed.list.number)")
            }
        }
        let text = ArmoredFile.armor(token: verified.token, kind: .revocationList)
        do {
            try FileIO.writeAtomically(revocationListFile, bytes: Array(text.utf8), mode: 0o600)
        } catch {
            return result(.rejected, "revocation list \(number) not installed: \(error)")
        }
        return result(
            .accepted, "accepted revocation list \(number) with \(verified.list.entries.count) revoked serials")
    }
}
