import Glibc
import VuptSQLite
import VuptVerifier

/// A quicker proof for license entries written the way the ledger writes them.
///
/// The full check parses the entry and the token's claims, then compares them with the
/// `licenses` row. This one goes the other way: it compares the entry bytes and the signed
/// payload, byte for byte, with what the ledger writes for the row's values, after those
/// values have passed the rules that `LicenseClaims(payloadJSON:)` applies. It reads the
/// column bytes as SQLite returned them and builds no JSON value. Equal bytes prove what
/// the full check proves: the entry names the row's serial, customer and token and the
/// entry columns' kind, time and operator. The token verifies with a trusted key whose id
/// is in the row, and the claims decode to exactly the row's values.
///
/// Any difference, from damage or from text written another way (with escapes, say), gives
/// false, and the entry then takes the full check, which names the difference. So this
/// proof accepts only what the full check accepts, and it reports nothing itself.
enum CanonicalLicenseEntry {
    /// Returns whether entry row `row` of `entries` (`entry_index, kind, recorded_at, operator,
    /// entry_bytes`), row `licenseRow` of `licenses` (columns in
    /// `EntryPrecheck.licenseQueryColumns` order) and the token's signature agree as the full
    /// check requires.
    static func accepts(
        entries: PackedRows, row: Int, licenses: PackedRows, licenseRow: Int, keys: TrustedKeySet
    ) -> Bool {
        entries.bytes.withUnsafeBufferPointer { entryBytes in
            licenses.bytes.withUnsafeBufferPointer { licenseBytes in
                func text(_ rows: PackedRows, _ base: UnsafeBufferPointer<UInt8>, _ row: Int, _ column: Int) -> Text? {
                    guard rows.kind(row, column) == .text, let range = rows.range(row, column) else { return nil }
                    return Text(rebasing: base[range])
                }
                /// Returns `.some(nil)` for NULL, the text for text, and nil for any other type.
                func optionalText(_ column: Int) -> Text?? {
                    if licenses.kind(licenseRow, column) == .null { return .some(nil) }
                    guard let value = text(licenses, licenseBytes, licenseRow, column) else { return nil }
                    return .some(value)
                }
                guard entries.kind(row, 4) == .blob, let bytesRange = entries.range(row, 4),
                    let index = entries.integer(row, 0), let kind = text(entries, entryBytes, row, 1),
                    let recordedAt = text(entries, entryBytes, row, 2), let operatorName = text(entries, entryBytes, row, 3),
                    let serial = text(licenses, licenseBytes, licenseRow, 0),
                    let subscription = text(licenses, licenseBytes, licenseRow, 1),
                    let sequence = licenses.integer(licenseRow, 2), let supersedes = optionalText(3),
                    let customerID = text(licenses, licenseBytes, licenseRow, 4),
                    let customerName = text(licenses, licenseBytes, licenseRow, 5),
                    let tier = text(licenses, licenseBytes, licenseRow, 6), let seats = licenses.integer(licenseRow, 7),
                    let features = text(licenses, licenseBytes, licenseRow, 8), let installation = optionalText(9),
                    let issuedAt = text(licenses, licenseBytes, licenseRow, 10),
                    let notBefore = text(licenses, licenseBytes, licenseRow, 11),
                    let notAfter = text(licenses, licenseBytes, licenseRow, 12),
                    let graceDays = licenses.integer(licenseRow, 13), let keyID = text(licenses, licenseBytes, licenseRow, 14),
                    let token = text(licenses, licenseBytes, licenseRow, 15),
                    let serialNumber = licenses.integer(licenseRow, EntryPrecheck.serialNumberColumn),
                    let rowOperator = text(licenses, licenseBytes, licenseRow, EntryPrecheck.operatorColumn),
                    equal(serial, LicenseSerial.format(serialNumber)), equal(rowOperator, operatorName)
                else { return false }
                let minted: Bool
                if equal(kind, LedgerEntryKind.licenseMinted.rawValue) {
                    minted = true
                } else if equal(kind, LedgerEntryKind.licenseRenewed.rawValue) {
                    minted = false
                } else {
                    return false
                }
                let values = Values(
                    index: index, minted: minted, recordedAt: recordedAt, operatorName: operatorName, serial: serial,
                    subscription: subscription, sequence: sequence, supersedes: supersedes, customerID: customerID,
                    customerName: customerName, tier: tier, seats: seats, features: features, installation: installation,
                    issuedAt: issuedAt, notBefore: notBefore, notAfter: notAfter, graceDays: graceDays, keyID: keyID,
                    token: token)
                guard values.followRules(), values.matchesEntry(Text(rebasing: entryBytes[bytesRange])),
                    let verified = try? ArtifactVerifier.verify(tokenBytes: Array(token), kind: .license, trustedKeys: keys),
                    equal(keyID, verified.key.keyID)
                else { return false }
                return verified.payload.withUnsafeBufferPointer { values.matchesPayload($0) }
            }
        }
    }

    typealias Text = UnsafeBufferPointer<UInt8>

    /// The values both byte strings are written from, as bytes of the two rows.
    private struct Values {
        let index: Int64
        let minted: Bool
        let recordedAt: Text
        let operatorName: Text
        let serial: Text
        let subscription: Text
        let sequence: Int64
        let supersedes: Text?
        let customerID: Text
        let customerName: Text
        let tier: Text
        let seats: Int64
        let features: Text
        let installation: Text?
        let issuedAt: Text
        let notBefore: Text
        let notAfter: Text
        let graceDays: Int64
        let keyID: Text
        let token: Text

        /// Returns whether these values pass the rules of `LicenseClaims(payloadJSON:)` and the
        /// full check, and the one this proof adds: every text is valid UTF-8 without escapes.
        func followRules() -> Bool {
            func claimText(_ text: Text) -> Bool {
                (1...LicenseClaims.maximumStringLength).contains(text.count) && isPlain(text)
            }
            guard index >= 0, (sequence == 1) == minted, (sequence == 1) == (supersedes == nil),
                (1...Int64(Int32.max)).contains(sequence), (1...LicenseClaims.maximumSeats).contains(seats),
                (0...LicenseClaims.maximumGracePeriodDays).contains(graceDays),
                equal(tier, Tier.business.rawValue) || equal(tier, Tier.enterprise.rawValue),
                claimText(serial), claimText(subscription), claimText(customerID), claimText(customerName),
                supersedes.map(claimText) ?? true, installation.map(claimText) ?? true,
                isPlain(recordedAt), isPlain(operatorName), isPlain(keyID), isPlain(token),
                CanonicalLicenseEntry.isPlainFeatureList(features)
            else { return false }
            // Times of this one fixed-width form compare as their bytes do.
            return isClaimTime(issuedAt) && isClaimTime(notBefore) && isClaimTime(notAfter)
                && memcmp(notBefore.baseAddress!, notAfter.baseAddress!, notBefore.count) < 0
        }

        /// Compares entry bytes with those `LedgerEntry.issuance(of:kind:recordedAt:operatorName:)`
        /// writes for these values.
        func matchesEntry(_ bytes: Text) -> Bool {
            var matcher = Matcher(bytes)
            matcher.literal(#"{"v":1,"index":"#)
            matcher.integer(index)
            matcher.literal(minted ? #","kind":"license-minted","recordedAt":"# : #","kind":"license-renewed","recordedAt":"#)
            matcher.string(recordedAt)
            matcher.literal(#","operator":"#)
            matcher.string(operatorName)
            matcher.literal(#","serial":"#)
            matcher.string(serial)
            matcher.literal(#","customer":"#)
            matcher.string(customerID)
            matcher.literal(#","keyId":"#)
            matcher.string(keyID)
            matcher.literal(#","token":"#)
            matcher.string(token)
            matcher.literal("}")
            return matcher.matchedAll
        }

        /// Compares a verified payload with the one `LicenseClaims.payloadJSON()` writes for
        /// these values. The issuer is not a column: it is taken from the payload, and must be
        /// text that needs no escape.
        func matchesPayload(_ payload: Text) -> Bool {
            guard payload.count <= LicenseClaims.maximumPayloadSize else { return false }
            var matcher = Matcher(payload)
            matcher.literal(#"{"iss":""#)
            guard matcher.matches else { return false }
            let issuerEnd = JSONString.plainRunEnd(payload, from: matcher.offset)
            let issuer = Text(rebasing: payload[matcher.offset..<issuerEnd])
            guard (1...LicenseClaims.maximumStringLength).contains(issuer.count), isPlain(issuer) else { return false }
            matcher.offset = issuerEnd

            matcher.literal(#"","sub":"#)
            matcher.string(customerID)
            matcher.literal(#","jti":"#)
            matcher.string(serial)
            matcher.literal(#","iat":"#)
            matcher.string(issuedAt)
            matcher.literal(#","nbf":"#)
            matcher.string(notBefore)
            matcher.literal(#","exp":"#)
            matcher.string(notAfter)
            matcher.literal(#","customerName":"#)
            matcher.string(customerName)
            matcher.literal(#","tier":"#)
            matcher.string(tier)

            matcher.literal(#","features":"#)
            matcher.bytes(features)
            matcher.literal(#","seats":"#)
            matcher.integer(seats)
            matcher.literal(#","graceDays":"#)
            matcher.integer(graceDays)

            matcher.literal(#","subscription":"#)
            matcher.string(subscription)
            matcher.literal(#","sequence":"#)
            matcher.integer(sequence)
            if let supersedes {
                matcher.literal(#","supersedes":"#)
                matcher.string(supersedes)
            }
            if let installation {
                matcher.literal(#","installation":"#)
                matcher.string(installation)
            }

            matcher.literal(#","ledgerIndex":"#)
            matcher.integer(index)
            matcher.literal(#","telemetry":false}"#)
            return matcher.matchedAll
        }
    }

    /// A cursor that compares expected pieces with a byte string. `matches` turns false at the
    /// first difference.
    private struct Matcher {
        let target: Text
        var offset = 0
        var matches = true

        init(_ target: Text) {
            self.target = target
        }

        var matchedAll: Bool { matches && offset == target.count }

        mutating func bytes(_ expected: Text) {
            guard matches, target.count - offset >= expected.count,
                expected.isEmpty || memcmp(target.baseAddress! + offset, expected.baseAddress!, expected.count) == 0
            else {
                matches = false
                return
            }
            offset += expected.count
        }

        mutating func literal(_ text: StaticString) {
            bytes(Text(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        /// Compares a JSON string of `text`, which `isPlain` accepted.
        mutating func string(_ text: Text) {
            literal("\"")
            bytes(text)
            literal("\"")
        }

        mutating func integer(_ value: Int64) {
            var digits = String(value)
            digits.withUTF8 { bytes($0) }
        }
    }

    /// Returns whether `text` is a time that `Timestamp(rfc3339UTC:)` accepts, `YYYY-MM-DDTHH:MM:SSZ`,
    /// within `Timestamp.supportedRange`.
    static func isClaimTime(_ text: Text) -> Bool {
        guard text.count == 20, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T"), text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
            text[19] == UInt8(ascii: "Z")
        else { return false }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for offset in start..<(start + count) {
                let digit = text[offset] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2)
        else { return false }
        return year >= 1970 && (1...12).contains(month) && day >= 1
            && day <= CivilDateTime.daysInMonth(year: Int64(year), month: month) && hour < 24 && minute < 60 && second < 60
    }

    /// Returns whether a JSON string contains `text` unescaped: valid UTF-8 with no quote,
    /// backslash or control character.
    static func isPlain(_ text: Text) -> Bool {
        guard JSONString.plainRunEnd(text, from: 0) == text.count else { return false }
        return isASCII(text) || String(validating: text, as: UTF8.self) != nil
    }

    /// Returns whether every byte is below 0x80, testing eight bytes at a time because tokens
    /// are long.
    static func isASCII(_ text: Text) -> Bool {
        guard let base = text.baseAddress else { return true }
        var combined: UInt64 = 0
        var offset = 0
        while offset + 8 <= text.count {
            combined |= UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            offset += 8
        }
        while offset < text.count {
            combined |= UInt64(text[offset])
            offset += 1
        }
        return combined & 0x8080_8080_8080_8080 == 0
    }

    /// Returns whether `text` is a JSON array of feature names as the ledger stores them and the
    /// claims rules accept: compact, at most `LicenseClaims.maximumFeatures` names of 1 to
    /// `LicenseClaims.maximumStringLength` bytes that need no escape, none listed twice.
    /// Names with bytes above 0x7F are refused here, because the claims rules compare names
    /// as Swift strings, under which two different byte sequences can be equal.
    static func isPlainFeatureList(_ bytes: Text) -> Bool {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]") else {
            return false
        }
        if bytes.count == 2 { return true }
        /// Returns whether a name listed before offset `end` has the bytes of `name`. Names before
        /// `end` have passed the checks, so each is followed by `","`.
        func listed(_ name: Slice<Text>, before end: Int) -> Bool {
            var start = 2
            while start < end {
                let nameEnd = JSONString.plainRunEnd(bytes, from: start)
                if bytes[start..<nameEnd].elementsEqual(name) { return true }
                start = nameEnd + 3
            }
            return false
        }
        var count = 0
        var offset = 1
        while true {
            guard count < LicenseClaims.maximumFeatures, bytes[offset] == UInt8(ascii: "\"") else { return false }
            let start = offset + 1
            let end = JSONString.plainRunEnd(bytes, from: start)
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\""),
                (1...LicenseClaims.maximumStringLength).contains(end - start),
                isASCII(Text(rebasing: bytes[start..<end])), !listed(bytes[start..<end], before: start)
            else { return false }
            count += 1
            offset = end + 1
            if offset == bytes.count - 1 { return true }
            guard bytes[offset] == UInt8(ascii: ","), offset + 1 < bytes.count - 1 else { return false }
            offset += 1
        }
    }

    private static func equal(_ text: Text, _ string: String) -> Bool {
        var string = string
        return string.withUTF8 { equal(text, $0) }
    }

    private static func equal(_ lhs: Text, _ rhs: Text) -> Bool {
        lhs.count == rhs.count && (lhs.isEmpty || memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0)
    }
}
