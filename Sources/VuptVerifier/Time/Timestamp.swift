/// An instant in UTC, counted in whole seconds since 1970-01-01T00:00:00Z.
///
/// All license times are whole seconds in UTC, so a plain integer avoids time zones,
/// leap-second tables and the ICU-backed calendar in Foundation. Instants before 1970
/// are negative.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    /// Returns the instant `seconds` later, saturating at the ends of `Int64` instead of wrapping.
    public func adding(seconds: Int64) -> Timestamp {
        let (sum, overflow) = secondsSince1970.addingReportingOverflow(seconds)
        if overflow { return Timestamp(secondsSince1970: seconds > 0 ? .max : .min) }
        return Timestamp(secondsSince1970: sum)
    }

    /// Seconds from `other` to `self`, saturating instead of wrapping.
    public func seconds(since other: Timestamp) -> Int64 {
        let (difference, overflow) = secondsSince1970.subtractingReportingOverflow(other.secondsSince1970)
        if overflow { return other.secondsSince1970 < 0 ? .max : .min }
        return difference
    }

    /// The RFC 3339 form, for example `2026-12-04T19:28:00Z`.
    public var description: String { rfc3339 }
}

/// A proleptic Gregorian date and time of day in UTC.
public struct CivilDateTime: Equatable, Sendable {
    public var year: Int64
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int64, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Timestamp {
    /// Supported years for license times: whole RFC 3339 years with four digits.
    public static let supportedRange =
        Timestamp(civil: CivilDateTime(year: 1970, month: 1, day: 1))...Timestamp(
            civil: CivilDateTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59))

    /// Builds the instant from a civil date and time in UTC. Fields must be in range.
    public init(civil: CivilDateTime) {
        // Days from civil, after Howard Hinnant's public-domain "chrono-compatible
        // low-level date algorithms": years start in March so leap days fall last.
        let shiftedYear = civil.month <= 2 ? civil.year - 1 : civil.year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = Int64(civil.month > 2 ? civil.month - 3 : civil.month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(civil.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Int64(civil.hour) * 3600 + Int64(civil.minute) * 60 + Int64(civil.second)
        self.init(secondsSince1970: days * 86_400 + seconds)
    }

    /// The civil date and time of this instant in UTC.
    public var civil: CivilDateTime {
        var days = secondsSince1970 / 86_400
        var secondOfDay = secondsSince1970 % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return CivilDateTime(
            year: year, month: month, day: day,
            hour: Int(secondOfDay / 3600), minute: Int(secondOfDay % 3600 / 60), second: Int(secondOfDay % 60))
    }

    /// Adds calendar months in UTC: same time of day, with the day of month clamped to
    /// the end of a shorter month (2024-02-29 plus 12 months is 2025-02-28).
    ///
    /// `anchorDay` is the day of month to aim for. Renewals pass the subscription's original
    /// day so that a term started on the 31st returns to the 31st where the month has one.
    public func addingMonths(_ months: Int, anchorDay: Int? = nil) -> Timestamp {
        let start = civil
        let monthIndex = start.year * 12 + Int64(start.month - 1) + Int64(months)
        let year = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        let month = Int(monthIndex - year * 12) + 1
        let targetDay = anchorDay ?? start.day
        let day = min(targetDay, CivilDateTime.daysInMonth(year: year, month: month))
        return Timestamp(
            civil: CivilDateTime(
                year: year, month: month, day: day, hour: start.hour, minute: start.minute, second: start.second))
    }
}

extension Timestamp {
    /// Formats as RFC 3339 in UTC with whole seconds, for example `2026-12-04T19:28:00Z`.
    /// Years outside 0000 to 9999 have no RFC 3339 form and are written with a sign.
    public var rfc3339: String {
        let c = civil
        guard (0...9999).contains(c.year) else {
            func pad(_ value: Int64, _ width: Int) -> String {
                let digits = String(value.magnitude)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            return (c.year < 0 ? "-" : "+") + "\(pad(c.year, 4))-\(pad(Int64(c.month), 2))-\(pad(Int64(c.day), 2))T"
                + "\(pad(Int64(c.hour), 2)):\(pad(Int64(c.minute), 2)):\(pad(Int64(c.second), 2))Z"
        }
        // Licenses format several times per issuance, so the common case writes bytes directly.
        var bytes = Array("0000-00-00T00:00:00Z".utf8)
        func put(_ value: Int, at offset: Int, width: Int) {
            var rest = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(Int(c.year), at: 0, width: 4)
        put(c.month, at: 5, width: 2)
        put(c.day, at: 8, width: 2)
        put(c.hour, at: 11, width: 2)
        put(c.minute, at: 14, width: 2)
        put(c.second, at: 17, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The date part only, for example `2026-12-04`.
    public var dateOnly: String { String(rfc3339.prefix(while: { $0 != "T" })) }

    /// Parses the only form license claims use: `YYYY-MM-DDTHH:MM:SSZ`, UTC, whole seconds.
    public init?(rfc3339UTC text: String) {
        guard text.utf8.count == 20 else { return nil }
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        guard let (civil, _) = Timestamp.parseDateTime(bytes) else { return nil }
        self.init(civil: civil)
    }

    /// Parses a command-line time: `YYYY-MM-DD` (midnight UTC), or RFC 3339 with `Z`
    /// or a numeric offset such as `+02:00`. Fractional seconds are refused because
    /// license times are whole seconds.
    public init?(commandLine text: String) {
        let bytes = Array(text.utf8)
        if bytes.count == 10 {
            guard let civil = Timestamp.parseDate(bytes) else { return nil }
            self.init(civil: civil)
            return
        }
        guard bytes.count >= 20, let (civil, suffix) = Timestamp.parseDateTime(bytes) else { return nil }
        // The suffix is a slice whose indices start at 19; copy it so that rest[0] is its first byte.
        let rest = Array(suffix)
        let base = Timestamp(civil: civil)
        if rest == [UInt8(ascii: "Z")] || rest == [UInt8(ascii: "z")] {
            self = base
            return
        }
        guard rest.count == 6, rest[0] == UInt8(ascii: "+") || rest[0] == UInt8(ascii: "-"),
            rest[3] == UInt8(ascii: ":"),
            let hours = Timestamp.number(rest[1...2]), let minutes = Timestamp.number(rest[4...5]),
            hours < 24, minutes < 60
        else { return nil }
        let offset = Int64(hours * 3600 + minutes * 60)
        self = base.adding(seconds: rest[0] == UInt8(ascii: "+") ? -offset : offset)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func parseDate(_ bytes: [UInt8]) -> CivilDateTime? {
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0...3]), let month = number(bytes[5...6]), let day = number(bytes[8...9]),
            (1...12).contains(month), day >= 1, day <= CivilDateTime.daysInMonth(year: Int64(year), month: month)
        else { return nil }
        return CivilDateTime(year: Int64(year), month: month, day: day)
    }

    private static func parseDateTime(_ bytes: [UInt8]) -> (CivilDateTime, ArraySlice<UInt8>)? {
        guard bytes.count >= 19, var civil = parseDate(bytes),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = number(bytes[11...12]), let minute = number(bytes[14...15]),
            let second = number(bytes[17...18]),
            hour < 24, minute < 60, second < 60
        else { return nil }
        civil.hour = hour
        civil.minute = minute
        civil.second = second
        return (civil, bytes[19...])
    }
}
