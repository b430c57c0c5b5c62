import Testing
import VuptVerifier

/// RFC 3339 parsing and formatting, civil-date conversion and calendar-month arithmetic
/// of `Timestamp`. Expected second counts were computed independently with Python's
/// `calendar.timegm`.
@Suite struct TimestampTests {
    func time(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Timestamp {
        try #require(Timestamp(rfc3339UTC: text), "'\(text)' did not parse", sourceLocation: sourceLocation)
    }

    // MARK: Known instants

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1969-12-31T23:59:59Z", -1),
        ("1900-01-01T00:00:00Z", -2_208_988_800),
        ("1600-02-29T12:00:00Z", -11_670_955_200),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("0000-01-01T00:00:00Z", -62_167_219_200),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2026-12-04T19:28:00Z", 1_796_412_480),
        ("2038-01-19T03:14:07Z", 2_147_483_647),
        ("2038-01-19T03:14:08Z", 2_147_483_648),
        ("2100-03-01T00:00:00Z", 4_107_542_400),
        ("2106-02-07T06:28:15Z", 4_294_967_295),
        ("2106-02-07T06:28:16Z", 4_294_967_296),
        ("2500-01-01T00:00:00Z", 16_725_225_600),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ])
    func knownInstantParsesAndFormats(text: String, seconds: Int64) throws {
        #expect(try time(text).secondsSince1970 == seconds)
        #expect(Timestamp(secondsSince1970: seconds).rfc3339 == text)
        #expect(Timestamp(secondsSince1970: seconds).description == text)
    }

    @Test func yearsOutsideFourDigitsCarrySign() {
        #expect(Timestamp(secondsSince1970: -62_167_219_201).rfc3339 == "-0001-12-31T23:59:59Z")
        #expect(Timestamp(secondsSince1970: 253_402_300_800).rfc3339 == "+10000-01-01T00:00:00Z")
    }

    @Test func dateOnlyDropsTime() {
        #expect(Timestamp(secondsSince1970: 1_796_412_480).dateOnly == "2026-12-04")
        #expect(Timestamp(secondsSince1970: -1).dateOnly == "1969-12-31")
    }

    @Test func supportedRangeBounds() {
        #expect(Timestamp.supportedRange.lowerBound.secondsSince1970 == 0)
        #expect(Timestamp.supportedRange.upperBound.secondsSince1970 == 253_402_300_799)
        #expect(!Timestamp.supportedRange.contains(Timestamp(secondsSince1970: -1)))
        #expect(!Timestamp.supportedRange.contains(Timestamp(secondsSince1970: 253_402_300_800)))
    }

    // MARK: Strict claim form

    @Test(arguments: [
        "2026-12-04T19:28:00z",  // lower-case zone letter
        "2026-12-04t19:28:00Z",  // lower-case separator
        "2026-12-04T19:28:00+00:00",
        "2026-12-04T19:28:00.5Z",
        "2026-12-04T19:28Z",
        "2026-12-04",
        "2026-12-04 19:28:00Z",
        "2026-12-04T19:28:00",
        " 2026-12-04T19:28:00Z",
        "2026-12-04T19:28:00Z ",
        "2025-02-29T00:00:00Z",  // 2025 is not a leap year
        "2100-02-29T00:00:00Z",  // 2100 is not a leap year
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-12-31T23:59:60Z",  // leap seconds are not representable
        "+2026-01-01T00:00:00Z",
        "20260-01-01T00:00:00Z",
        "2026-1-01T00:00:00Z",
        "２０２６-01-01T00:00:00Z",  // full-width digits
        "",
    ])
    func claimFormRejects(text: String) {
        #expect(Timestamp(rfc3339UTC: text) == nil)
    }

    @Test func claimFormAcceptsLeapDay() throws {
        #expect(try time("2024-02-29T23:59:59Z").civil == CivilDateTime(
            year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59))
        #expect(try time("2000-02-29T00:00:00Z").civil.day == 29)
    }

    // MARK: Command-line form

    @Test(arguments: [
        ("2026-12-04", "2026-12-04T00:00:00Z"),
        ("2026-12-04T19:28:00Z", "2026-12-04T19:28:00Z"),
        ("2026-12-04t19:28:00z", "2026-12-04T19:28:00Z"),
        ("2026-12-04T19:28:00+02:00", "2026-12-04T17:28:00Z"),
        ("2026-12-04T19:28:00-05:30", "2026-12-05T00:58:00Z"),
        ("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00Z"),
        ("2026-12-04T19:28:00+00:00", "2026-12-04T19:28:00Z"),
        ("2026-12-04T19:28:00-00:00", "2026-12-04T19:28:00Z"),
        ("1969-12-31", "1969-12-31T00:00:00Z"),
        ("2026-12-04T00:00:00+23:59", "2026-12-03T00:01:00Z"),
    ])
    func commandLineFormConverts(text: String, expected: String) throws {
        let parsed = try #require(Timestamp(commandLine: text), "'\(text)' did not parse")

        #expect(parsed.rfc3339 == expected)
    }

    @Test(arguments: [
        "2026-12-04T19:28:00.000Z",
        "2026-12-04T19:28:00.5+02:00",
        "2026-12-04T19:28:00",
        "2026-12-04T19:28:00+24:00",
        "2026-12-04T19:28:00+02:60",
        "2026-12-04T19:28:00+0200",
        "2026-12-04T19:28:00 +02:00",
        "2026-12-04T19:28:00UTC",
        "2026-12-4",
        "2026-02-30",
        "04.12.2026",
        "today",
        "",
    ])
    func commandLineFormRejects(text: String) {
        #expect(Timestamp(commandLine: text) == nil)
    }

    // MARK: Civil conversion

    @Test(arguments: [
        (Int64(1900), false), (2000, true), (2023, false), (2024, true), (2100, false), (2400, true),
        (0, true), (-4, true), (-100, false),
    ])
    func leapYearRule(year: Int64, isLeap: Bool) {
        #expect(CivilDateTime.isLeapYear(year) == isLeap)
        #expect(CivilDateTime.daysInMonth(year: year, month: 2) == (isLeap ? 29 : 28))
    }

    @Test func daysInEachMonth() {
        let expected = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

        #expect((1...12).map { CivilDateTime.daysInMonth(year: 2025, month: $0) } == expected)
    }

    /// Walks every day from 1600-01-01 to 2500-12-31: each date is exactly one day after
    /// the previous one and converts back to itself.
    @Test func everyDayFrom1600To2500RoundTrips() {
        var expectedSeconds: Int64 = -11_676_096_000
        var failures = 0
        for year in Int64(1600)...2500 {
            for month in 1...12 {
                for day in 1...CivilDateTime.daysInMonth(year: year, month: month) where failures < 5 {
                    let civil = CivilDateTime(year: year, month: month, day: day)
                    let instant = Timestamp(civil: civil)
                    if instant.secondsSince1970 != expectedSeconds || instant.civil != civil {
                        failures += 1
                        Issue.record("\(civil): \(instant.secondsSince1970) s, expected \(expectedSeconds) s")
                    }
                    expectedSeconds += 86_400
                }
            }
        }
        #expect(expectedSeconds == 16_756_761_600)
    }

    /// Steps through ±1.2 million years in strides that are not a multiple of a day, so
    /// every time of day and both signs of the era arithmetic are exercised.
    @Test func wideRangeRoundTrips() {
        let stride: Int64 = 7_919 * 86_400 + 3_601
        var seconds: Int64 = -40_000_000_000_000
        var failures = 0
        while seconds <= 40_000_000_000_000, failures < 5 {
            let instant = Timestamp(secondsSince1970: seconds)
            let civil = instant.civil
            let valid = (1...12).contains(civil.month)
                && (1...CivilDateTime.daysInMonth(year: civil.year, month: civil.month)).contains(civil.day)
                && (0..<24).contains(civil.hour) && (0..<60).contains(civil.minute) && (0..<60).contains(civil.second)
            if !valid || Timestamp(civil: civil) != instant {
                failures += 1
                Issue.record("\(seconds) s converts to \(civil), which does not convert back")
            }
            seconds += stride
        }
    }

    @Test func secondBeforeEpochIsPreviousDay() {
        #expect(Timestamp(secondsSince1970: -1).civil == CivilDateTime(
            year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(Timestamp(secondsSince1970: -86_400).civil == CivilDateTime(year: 1969, month: 12, day: 31))
        #expect(Timestamp(secondsSince1970: -86_401).civil == CivilDateTime(
            year: 1969, month: 12, day: 30, hour: 23, minute: 59, second: 59))
    }

    // MARK: Arithmetic

    @Test func addingSecondsSaturates() {
        #expect(Timestamp(secondsSince1970: .max - 1).adding(seconds: 5).secondsSince1970 == .max)
        #expect(Timestamp(secondsSince1970: .min + 1).adding(seconds: -5).secondsSince1970 == .min)
        #expect(Timestamp(secondsSince1970: 10).adding(seconds: -20).secondsSince1970 == -10)
    }

    @Test func secondsSinceSaturates() {
        #expect(Timestamp(secondsSince1970: .max).seconds(since: Timestamp(secondsSince1970: -1)) == .max)
        #expect(Timestamp(secondsSince1970: .min).seconds(since: Timestamp(secondsSince1970: 1)) == .min)
        #expect(Timestamp(secondsSince1970: 5).seconds(since: Timestamp(secondsSince1970: 8)) == -3)
    }

    struct MonthCase: Sendable, CustomTestStringConvertible {
        let start: String
        let months: Int
        let anchorDay: Int?
        let expected: String

        init(_ start: String, _ months: Int, _ expected: String, anchorDay: Int? = nil) {
            self.start = start
            self.months = months
            self.expected = expected
            self.anchorDay = anchorDay
        }

        var testDescription: String {
            "\(start) \(months >= 0 ? "+" : "")\(months) months" + (anchorDay.map { " anchor \($0)" } ?? "")
        }
    }

    @Test(arguments: [
        // Leap day: clamped in common years, kept in leap years.
        MonthCase("2024-02-29T00:00:00Z", 12, "2025-02-28T00:00:00Z"),
        MonthCase("2024-02-29T00:00:00Z", 24, "2026-02-28T00:00:00Z"),
        MonthCase("2024-02-29T00:00:00Z", 48, "2028-02-29T00:00:00Z"),
        MonthCase("2024-02-29T09:15:30Z", 1, "2024-03-29T09:15:30Z"),
        // Month ends.
        MonthCase("2025-01-31T00:00:00Z", 1, "2025-02-28T00:00:00Z"),
        MonthCase("2024-01-31T00:00:00Z", 1, "2024-02-29T00:00:00Z"),
        MonthCase("2025-03-31T00:00:00Z", 1, "2025-04-30T00:00:00Z"),
        MonthCase("2025-08-31T00:00:00Z", 1, "2025-09-30T00:00:00Z"),
        MonthCase("2025-01-30T00:00:00Z", 1, "2025-02-28T00:00:00Z"),
        MonthCase("2025-01-28T00:00:00Z", 1, "2025-02-28T00:00:00Z"),
        MonthCase("2025-04-30T00:00:00Z", 1, "2025-05-30T00:00:00Z"),
        MonthCase("2100-01-31T00:00:00Z", 1, "2100-02-28T00:00:00Z"),
        MonthCase("2000-01-31T00:00:00Z", 1, "2000-02-29T00:00:00Z"),
        // Year boundaries.
        MonthCase("2025-12-15T08:30:45Z", 1, "2026-01-15T08:30:45Z"),
        MonthCase("2025-12-31T23:59:59Z", 1, "2026-01-31T23:59:59Z"),
        MonthCase("2025-11-30T23:59:59Z", 3, "2026-02-28T23:59:59Z"),
        MonthCase("2025-06-01T00:00:00Z", 12, "2026-06-01T00:00:00Z"),
        MonthCase("2025-06-01T00:00:00Z", 120, "2035-06-01T00:00:00Z"),
        MonthCase("2025-06-01T00:00:00Z", 0, "2025-06-01T00:00:00Z"),
        MonthCase("1969-12-31T12:00:00Z", 1, "1970-01-31T12:00:00Z"),
        MonthCase("2037-12-19T03:14:08Z", 1, "2038-01-19T03:14:08Z"),
        MonthCase("2105-12-31T06:28:16Z", 2, "2106-02-28T06:28:16Z"),
        MonthCase("9998-12-31T23:59:59Z", 12, "9999-12-31T23:59:59Z"),
        // Negative months.
        MonthCase("2025-03-31T00:00:00Z", -1, "2025-02-28T00:00:00Z"),
        MonthCase("2025-01-15T10:00:00Z", -1, "2024-12-15T10:00:00Z"),
        MonthCase("2024-02-29T00:00:00Z", -12, "2023-02-28T00:00:00Z"),
        MonthCase("2024-02-29T00:00:00Z", -48, "2020-02-29T00:00:00Z"),
        MonthCase("2025-05-31T00:00:00Z", -3, "2025-02-28T00:00:00Z"),
        MonthCase("1970-01-15T00:00:00Z", -1, "1969-12-15T00:00:00Z"),
        MonthCase("0000-01-15T00:00:00Z", -1, "-0001-12-15T00:00:00Z"),
        // The anchor day returns a clamped term to its original day of month.
        MonthCase("2025-02-28T00:00:00Z", 1, "2025-03-31T00:00:00Z", anchorDay: 31),
        MonthCase("2025-02-28T00:00:00Z", 2, "2025-04-30T00:00:00Z", anchorDay: 31),
        MonthCase("2025-02-28T00:00:00Z", 12, "2026-02-28T00:00:00Z", anchorDay: 31),
        MonthCase("2023-02-28T00:00:00Z", 12, "2024-02-29T00:00:00Z", anchorDay: 29),
    ])
    func addingMonths(_ row: MonthCase) throws {
        let start = try time(row.start)

        #expect(start.addingMonths(row.months, anchorDay: row.anchorDay).rfc3339 == row.expected)
    }

    @Test func addingMonthsKeepsTimeOfDay() throws {
        let start = try time("2025-01-31T13:45:07Z")
        for months in 1...24 {
            let civil = start.addingMonths(months).civil
            #expect(civil.hour == 13, "\(months) months")
            #expect(civil.minute == 45, "\(months) months")
            #expect(civil.second == 7, "\(months) months")
        }
    }
}
