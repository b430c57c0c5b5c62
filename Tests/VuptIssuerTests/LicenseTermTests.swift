import Testing
import VuptIssuer
import VuptVerifier

/// `LicenseTerm.end`: the start plus calendar months in UTC, at the same time of day,
/// with the day clamped to the end of a shorter month.
@Suite struct LicenseTermTests {
    struct TermCase: Sendable, CustomTestStringConvertible {
        let start: String
        let months: Int
        let end: String

        init(_ start: String, _ months: Int, _ end: String) {
            self.start = start
            self.months = months
            self.end = end
        }

        var testDescription: String { "\(start) + \(months) months" }
    }

    @Test(arguments: [
        // The examples in docs/FORMAT.md.
        TermCase("2026-01-15T09:00:00Z", 12, "2027-01-15T09:00:00Z"),
        TermCase("2024-02-29T00:00:00Z", 12, "2025-02-28T00:00:00Z"),
        TermCase("2025-01-31T12:00:00Z", 1, "2025-02-28T12:00:00Z"),
        TermCase("2024-01-31T12:00:00Z", 1, "2024-02-29T12:00:00Z"),
        // Leap days four years apart, month ends and year ends.
        TermCase("2024-02-29T00:00:00Z", 48, "2028-02-29T00:00:00Z"),
        TermCase("2025-03-31T23:59:59Z", 1, "2025-04-30T23:59:59Z"),
        TermCase("2025-12-31T08:00:00Z", 1, "2026-01-31T08:00:00Z"),
        TermCase("2025-12-01T00:00:00Z", 1, "2026-01-01T00:00:00Z"),
        TermCase("2025-11-30T06:30:00Z", 3, "2026-02-28T06:30:00Z"),
        TermCase("2099-02-28T00:00:00Z", 12, "2100-02-28T00:00:00Z"),
        TermCase("2037-01-19T03:14:08Z", 12, "2038-01-19T03:14:08Z"),
        TermCase("2105-02-07T06:28:16Z", 12, "2106-02-07T06:28:16Z"),
        TermCase("2026-01-15T09:00:00Z", 120, "2036-01-15T09:00:00Z"),
    ])
    func termEnd(_ row: TermCase) throws {
        let start = try time(row.start)

        #expect(LicenseTerm.end(start: start, months: row.months).rfc3339 == row.end)
    }
}
