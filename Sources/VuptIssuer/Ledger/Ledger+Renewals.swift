import VuptSQLite
import VuptSodium
import VuptVerifier

/// Changes a renewal makes to the previous license's entitlements; nil keeps them.
public struct RenewalChanges: Equatable, Sendable {
    public var months: Int = LicenseRequest.defaultMonths
    public var tier: Tier?
    public var seats: Int64?
    public var addedFeatures: [String] = []
    public var removedFeatures: [String] = []

    public init(
        months: Int = LicenseRequest.defaultMonths, tier: Tier? = nil, seats: Int64? = nil,
        addedFeatures: [String] = [], removedFeatures: [String] = []
    ) {
        self.months = months
        self.tier = tier
        self.seats = seats
        self.addedFeatures = addedFeatures
        self.removedFeatures = removedFeatures
    }
}

/// A reason a renewal is rejected.
public enum RenewalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The serial is no longer the newest of its subscription.
    case superseded(serial: String, newest: String)
    case revoked(serial: String, newest: String)
    /// A batch names the same serial twice.
    case duplicate(serial: String)
    /// The serial was revoked before.
    case alreadyRevoked(serial: String, at: String)

    public var description: String {
        switch self {
        case let .superseded(serial, newest):
            return "\(serial) is already superseded; renew the newest license of its subscription, \(newest)"
        case let .revoked(serial, newest) where serial == newest:
            return "\(serial) is revoked, so its subscription cannot be renewed; mint a new license instead"
        case let .revoked(serial, newest):
            return "\(serial) is revoked; the newest license of its subscription is \(newest)"
        case let .alreadyRevoked(serial, at):
            return "\(serial) is already revoked (at \(at)); nothing was changed"
        case let .duplicate(serial):
            return "\(serial) is listed more than once; list each serial once per batch"
        }
    }
}

/// The term rules for renewals, documented in docs/RENEWALS.md.
public enum RenewalTerm {
    /// Returns the start of a renewal's term. A renewal made before the previous grace
    /// period ends starts at the previous `exp`, so there is no gap and no overlap. A
    /// later one starts at the renewal time.
    public static func start(previous: LicenseClaims, now: Timestamp) -> Timestamp {
        now < previous.graceEnds ? previous.notAfter : now
    }

    /// Returns the end: `months` after the start, at the start's time of day, on the anchor day
    /// of month (clamped to shorter months), so that a subscription started on the 31st
    /// or on 29 February does not drift over renewals.
    public static func end(start: Timestamp, months: Int, anchorDay: Int) -> Timestamp {
        start.addingMonths(months, anchorDay: anchorDay)
    }
}

extension Ledger {
    /// Returns the licenses of one subscription, oldest first.
    public func subscription(_ subscriptionID: String) throws -> [IssuedLicense] {
        try database.query(
            "SELECT \(Ledger.licenseColumns) FROM licenses WHERE subscription_id = ? ORDER BY sequence",
            [.text(subscriptionID)]
        ).map(issuedLicense)
    }

    /// Serials revoked, with reason, time and operator.
    public func revocations() throws -> [(serial: String, reason: String, revokedAt: Timestamp, operatorName: String, entryIndex: Int64)] {
        try database.query("SELECT serial, reason, revoked_at, operator, entry_index FROM revocations ORDER BY entry_index").map {
            ($0.text(0) ?? "", $0.text(1) ?? "", Timestamp(rfc3339UTC: $0.text(2) ?? "") ?? .init(secondsSince1970: 0),
             $0.text(3) ?? "", $0.integer(4) ?? -1)
        }
    }

    /// Returns the anchor day for the next renewal: the day of month on which the current
    /// unbroken chain of terms started. A late renewal starts a new chain.
    static func anchorDay(chain: [SubscriptionTerm]) -> Int {
        var anchor = chain.first!.notBefore
        for (previous, next) in zip(chain, chain.dropFirst()) where next.notBefore != previous.notAfter {
            anchor = next.notBefore
        }
        return anchor.civil.day
    }

    /// One term of a subscription, from the ledger's columns.
    struct SubscriptionTerm: Sendable {
        let serial: String
        let sequence: Int64
        let notBefore: Timestamp
        let notAfter: Timestamp
    }

    /// Returns the terms of a subscription, oldest first, without re-verifying every token: only
    /// their dates feed the anchor day, and the license being renewed is verified itself.
    func subscriptionTerms(_ subscriptionID: String) throws -> [SubscriptionTerm] {
        try database.query(
            "SELECT serial, sequence, not_before, not_after FROM licenses WHERE subscription_id = ? ORDER BY sequence",
            [.text(subscriptionID)]
        ).map { row in
            guard let notBefore = Timestamp(rfc3339UTC: row.text(2) ?? ""), let notAfter = Timestamp(rfc3339UTC: row.text(3) ?? "")
            else { throw LedgerError.notALedger(path: path, reason: "license \(row.text(0) ?? "") has invalid dates") }
            return SubscriptionTerm(serial: row.text(0) ?? "", sequence: row.integer(1) ?? 0, notBefore: notBefore, notAfter: notAfter)
        }
    }

    /// Signs the renewals in one transaction: all are recorded or none.
    ///
    /// A renewal reads the previous license from the ledger and signs the new one. The
    /// previous license is authenticated by the newest signed checkpoint: the leaf hashes of
    /// the previous entries, with the stored nodes, must give the checkpoint's root, so one
    /// signature check covers a whole chunk, and a mismatch stops the batch as `damaged`. A
    /// previous license that the checkpoint does not cover has its token's signature verified.
    ///
    /// Signing runs on every core, one chunk of the batch ahead of the thread that writes
    /// the rows; the first failure in the batch's order is the one thrown.
    ///
    /// - Parameter afterEach: called inside the transaction after each renewal is recorded,
    ///   for progress display; throwing from it rolls back the whole batch.
    public func renew(
        _ items: [(serial: String, changes: RenewalChanges)], key: Ed25519.SecretKey, operatorName: String,
        now: Timestamp, afterEach: (IssuedLicense, Int) throws -> Void = { _, _ in }
    ) throws -> [IssuedLicense] {
        var seen = Set<String>()
        for item in items where !seen.insert(item.serial).inserted {
            throw RenewalError.duplicate(serial: item.serial)
        }
        return try write(key: key, now: now) {
            try registerKeyIfNeeded(key.publicKey, recordedAt: now, operatorName: operatorName)
            let revoked = Set(try revocations().map(\.serial))
            let keys = try trustedSigningKeys()
            let checkpoint = try latestVerifiedCheckpoint(keys: keys)
            // Every renewal appends exactly one entry and takes the next serial number, and
            // any failure rolls the whole batch back, so both are known before signing.
            let firstSerialNumber = (try database.query("SELECT max(serial_number) FROM licenses").first?.integer(0) ?? 0) + 1
            let firstEntryIndex = try nextEntryIndex()

            var renewed: [IssuedLicense] = []
            renewed.reserveCapacity(items.count)
            func recordSigned(_ results: [Result<(VerifiedLicense, LedgerEntry), any Error>]) throws {
                for result in results {
                    let (license, entry) = try result.get()
                    let issued = try record(
                        license, serialNumber: firstSerialNumber + Int64(renewed.count), kind: .licenseRenewed,
                        operatorName: operatorName, now: now, entry: entry)
                    renewed.append(issued)
                    try afterEach(issued, renewed.count)
                }
            }

            typealias Signed = Parallel.Batch<RenewalInput, Result<(VerifiedLicense, LedgerEntry), any Error>>
            var inFlight: Signed?
            let lanes = Parallel.Lanes(count: Parallel.threads - 1)
            // No signing outlives the batch, even when a renewal fails.
            defer { _ = inFlight?.results() }
            let chunkStarts = Array(stride(from: 0, to: items.count, by: Ledger.renewalChunkSize)) + [items.count]
            for (chunkStart, chunkEnd) in zip(chunkStarts, chunkStarts.dropFirst()) {
                var inputs = try (chunkStart..<chunkEnd).map { offset in
                    try renewalInput(
                        items[offset], revoked: revoked, serialNumber: firstSerialNumber + Int64(offset),
                        ledgerIndex: firstEntryIndex + Int64(offset), check: Ledger.selfCheck(position: offset, of: items.count))
                }
                if let checkpoint { try authenticate(&inputs, against: checkpoint) }
                let earlier = inFlight
                inFlight = Signed(inputs, lanes: lanes) { input in
                    Result {
                        let license = try input.sign(key: key, keys: keys, now: now)
                        // Encoding and hashing the entry here leaves less to the writing thread.
                        return (license, LedgerEntry.issuance(
                            of: license, kind: .licenseRenewed, recordedAt: now, operatorName: operatorName))
                    }
                }
                // The previous chunk is recorded while this one is signed.
                if let earlier { try recordSigned(earlier.results()) }
            }
            if let last = inFlight { try recordSigned(last.results()) }

            return renewed
        }
    }

    /// Renewals signed together before their rows are written.
    static let renewalChunkSize = 256

    /// Reads what one renewal needs from the ledger. A missing serial is not thrown here but
    /// when its turn comes, so that errors keep the batch's order.
    private func renewalInput(
        _ item: (serial: String, changes: RenewalChanges), revoked: Set<String>, serialNumber: Int64, ledgerIndex: Int64,
        check: SignatureSelfCheck
    ) throws -> RenewalInput {
        let row = try database.query(
            """
            SELECT l.token, l.subscription_id, l.entry_index, e.entry_bytes
            FROM licenses AS l LEFT JOIN ledger_entries AS e USING (entry_index) WHERE l.serial = ?
            """, [.text(item.serial)]
        ).first
        let subscriptionID = row?.text(1) ?? ""
        return RenewalInput(
            serial: item.serial, changes: item.changes, previous: row?.text(0).map { .token($0) } ?? .missing,
            entryIndex: row?.integer(2), entryBytes: row?.blob(3) ?? [],
            subscriptionID: subscriptionID, chain: row == nil ? [] : try subscriptionTerms(subscriptionID),
            isRevoked: revoked.contains(item.serial), serialNumber: serialNumber, ledgerIndex: ledgerIndex,
            check: check, ledgerPath: path)
    }

    /// Returns the newest checkpoint, verified with `keys`, or nil when the ledger has none.
    private func latestVerifiedCheckpoint(keys: TrustedKeySet) throws -> Checkpoint? {
        guard let note = try latestCheckpoint() else { return nil }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(signedNote: note, trustedKeys: keys).checkpoint
        } catch {
            throw LedgerError.damaged(path: path, reason: "its newest checkpoint does not verify (\(error))")
        }
        guard checkpoint.origin == (try origin()) else {
            throw LedgerError.damaged(path: path, reason: "its newest checkpoint is for log '\(checkpoint.origin)'")
        }
        return checkpoint
    }

    /// Authenticates the entry bytes of the previous licenses that `checkpoint` covers: the
    /// root recomputed from their leaf hashes and the stored nodes must be the checkpoint's.
    /// Previous licenses that it does not cover keep their tokens, whose signatures are
    /// verified one by one.
    private func authenticate(_ inputs: inout [RenewalInput], against checkpoint: Checkpoint) throws {
        let covered = inputs.indices.filter { inputs[$0].entryIndex.map { UInt64($0) < checkpoint.treeSize } ?? false }
        guard !covered.isEmpty else { return }
        let entries = covered.map { (index: UInt64(inputs[$0].entryIndex!), bytes: inputs[$0].entryBytes) }
        let leaves = Parallel.map(entries) { (index: $0.index, hash: LedgerEntry.leafHash(of: $0.bytes)) }
            .sorted { $0.index < $1.index }
        let root = try rootHash(size: checkpoint.treeSize, withLeaves: leaves[...])
        guard Sodium.constantTimeEqual(root, checkpoint.rootHash) else {
            let serials = covered.prefix(3).map { inputs[$0].serial }.joined(separator: ", ")
            let more = covered.count > 3 ? " and \(covered.count - 3) more" : ""
            throw LedgerError.damaged(
                path: path,
                reason: "the entries of \(serials)\(more) or the stored tree nodes differ from the checkpoint "
                    + "at size \(checkpoint.treeSize)")
        }
        for position in covered { inputs[position].previous = .loggedEntry(inputs[position].entryBytes) }
    }

    /// Everything one renewal needs, read from the ledger before signing, so that signing
    /// touches no database and runs on any thread.
    struct RenewalInput: Sendable {
        /// The source of the previous license's claims.
        enum Previous: Sendable {
            /// The serial is not in the ledger.
            case missing
            /// The token from its `licenses` row; its signature is verified before use.
            case token(String)
            /// Its entry bytes, which a verified checkpoint covers.
            case loggedEntry([UInt8])
        }

        let serial: String
        let changes: RenewalChanges
        var previous: Previous
        /// The index of the previous license's entry, and that entry's bytes.
        let entryIndex: Int64?
        let entryBytes: [UInt8]
        /// The `subscription_id` column of the previous license's row.
        let subscriptionID: String
        let chain: [SubscriptionTerm]
        let isRevoked: Bool
        let serialNumber: Int64
        let ledgerIndex: Int64
        let check: SignatureSelfCheck
        let ledgerPath: String

        /// Returns the previous license's claims, verified by its signature or by the
        /// checkpoint that covers its entry.
        func previousClaims(keys: TrustedKeySet) throws -> LicenseClaims {
            switch previous {
            case .missing:
                throw LedgerError.licenseNotFound(serial: serial)
            case .token(let token):
                return try ArtifactVerifier.verifyLicense(token: token, trustedKeys: keys).claims
            case .loggedEntry(let bytes):
                guard case .string(let token)? = (try? JSONValue.parse(bytes))?["token"],
                    let payload = try? PASETOv4Public.parse(token).payload
                else {
                    throw LedgerError.notALedger(path: ledgerPath, reason: "the entry of \(serial) has no license token")
                }
                return try LicenseClaims(payloadJSON: payload)
            }
        }

        /// Reads the previous claims, applies the changes and the term rules, then signs the
        /// renewal and checks the signature.
        func sign(key: Ed25519.SecretKey, keys: TrustedKeySet, now: Timestamp) throws -> VerifiedLicense {
            let old = try previousClaims(keys: keys)
            guard old.serial == serial, old.subscriptionID == subscriptionID, let newest = chain.last else {
                throw LedgerError.notALedger(
                    path: ledgerPath, reason: "the licenses row of \(serial) differs from its signed token")
            }
            if isRevoked { throw RenewalError.revoked(serial: serial, newest: newest.serial) }
            guard newest.serial == serial else { throw RenewalError.superseded(serial: serial, newest: newest.serial) }

            var request = LicenseRequest(
                customerID: old.customerID, customerName: old.customerName, tier: changes.tier ?? old.tier,
                seats: changes.seats ?? old.seats, features: old.features, months: changes.months,
                gracePeriodDays: old.gracePeriodDays, installationID: old.installationID)
            for removed in changes.removedFeatures {
                guard request.features.contains(removed) else {
                    throw MintError.invalidValue(
                        field: "removed feature", value: removed,
                        allowed: "one of \(request.features.joined(separator: ", "))")
                }
                request.features.removeAll { $0 == removed }
            }
            for added in changes.addedFeatures where !request.features.contains(added) { request.features.append(added) }
            if request.features.isEmpty {
                throw MintError.invalidValue(field: "features", value: "none", allowed: "at least one feature")
            }
            let features = try request.validatedFeatures()

            let start = RenewalTerm.start(previous: old, now: now)
            // A renewal that starts late begins a new unbroken chain, anchored on its own start day.
            let anchorDay = start == old.notAfter ? Ledger.anchorDay(chain: chain) : start.civil.day
            let end = RenewalTerm.end(start: start, months: changes.months, anchorDay: anchorDay)
            for time in [start, end, end.adding(seconds: old.gracePeriodDays * 86_400)]
            where !Timestamp.supportedRange.contains(time) {
                throw MintError.timeOutOfRange(time)
            }

            let claims = LicenseClaims(
                issuer: LicenseSerial.issuer, customerID: old.customerID, serial: LicenseSerial.format(serialNumber),
                issuedAt: now, notBefore: start, notAfter: end, customerName: old.customerName, tier: request.tier,
                features: features, seats: request.seats, gracePeriodDays: old.gracePeriodDays,
                subscriptionID: old.subscriptionID, sequence: old.sequence + 1, supersedes: old.serial,
                installationID: old.installationID, ledgerIndex: ledgerIndex)
            return try ArtifactSigner.signLicense(claims, key: key, check: check)
        }
    }

    /// Licenses whose `exp` falls before `now + days` and that have no renewal yet and
    /// are not revoked, soonest first. Already expired ones are included.
    public func due(within days: Int64, now: Timestamp) throws -> [IssuedLicense] {
        let limit = now.adding(seconds: days * 86_400).rfc3339
        return try database.query(
            """
            SELECT \(Ledger.licenseColumns) FROM licenses AS l
            WHERE l.not_after <= ?
              AND NOT EXISTS (SELECT 1 FROM licenses AS n WHERE n.supersedes = l.serial)
              AND NOT EXISTS (SELECT 1 FROM revocations AS r WHERE r.serial = l.serial)
            ORDER BY l.not_after, l.serial_number
            """,
            [.text(limit)]
        ).map(issuedLicense)
    }

    /// Records a revocation. Revoking twice is refused; the ledger stays append-only.
    public func revoke(
        _ serial: String, reason: String, key: Ed25519.SecretKey, operatorName: String, now: Timestamp
    ) throws -> LedgerEntry {
        let trimmed = reason.trimmingWhitespaceAndNewlines()
        guard !trimmed.isEmpty, reason.utf8.count <= LicenseClaims.maximumStringLength,
            !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw MintError.invalidValue(field: "reason", value: reason, allowed: "1 to 256 bytes of text")
        }
        return try write(key: key, now: now) {
            _ = try license(serial: serial)
            let existing = try database.query("SELECT revoked_at FROM revocations WHERE serial = ?", [.text(serial)])
            if let when = existing.first?.text(0) {
                throw RenewalError.alreadyRevoked(serial: serial, at: when)
            }
            let entry = try appendEntry(
                kind: .licenseRevoked, recordedAt: now, operatorName: operatorName,
                fields: [("serial", .string(serial)), ("reason", .string(reason))])
            try database.run(
                "INSERT INTO revocations (serial, entry_index, reason, revoked_at, operator) VALUES (?, ?, ?, ?, ?)",
                [.text(serial), .integer(entry.index), .text(reason), .text(now.rfc3339), .text(operatorName)])
            return entry
        }
    }

    /// Mints the next revocation list, numbered one above the last, listing every
    /// revocation in the ledger.
    public func mintRevocationList(
        key: Ed25519.SecretKey, operatorName: String, now: Timestamp
    ) throws -> VerifiedRevocationList {
        try write(key: key, now: now) {
            try registerKeyIfNeeded(key.publicKey, recordedAt: now, operatorName: operatorName)
            let number = (try database.query("SELECT max(number) FROM revocation_lists").first?.integer(0) ?? 0) + 1
            let list = RevocationList(
                issuer: LicenseSerial.issuer, number: number, issuedAt: now,
                entries: try revocations().map { .init(serial: $0.serial, reason: $0.reason, revokedAt: $0.revokedAt) })
            let token = ArtifactSigner.sign(payload: list.payloadJSON(), kind: .revocationList, key: key)
            let trusted = TrustedKeySet([TrustedKey(name: "signing key", publicKey: key.publicKey, source: .compiledIn)])
            let verified = try ArtifactVerifier.verifyRevocationList(token: token, trustedKeys: trusted)
            let entry = try appendEntry(
                kind: .revocationListIssued, recordedAt: now, operatorName: operatorName,
                fields: [("number", .integer(number)), ("keyId", .string(verified.key.keyID)), ("token", .string(token))])
            try database.run(
                "INSERT INTO revocation_lists (number, entry_index, issued_at, key_id, token) VALUES (?, ?, ?, ?, ?)",
                [.integer(number), .integer(entry.index), .text(now.rfc3339), .text(verified.key.keyID), .text(token)])
            return verified
        }
    }
}
