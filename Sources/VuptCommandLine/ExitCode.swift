/// Exit codes shared by `vupt-license` and `vupt-issuer`, following BSD sysexits where one fits.
public enum ExitCode {
    public static let success: Int32 = 0
    /// The license verified but is not usable at this time (expired, not yet valid, revoked…).
    public static let notValid: Int32 = 1
    /// The artifact was rejected: malformed, bad encoding, signature invalid, unknown key,
    /// wrong kind or unsupported version.
    public static let rejected: Int32 = 2
    public static let usage: Int32 = 64
    /// The ledger rejected the request: the serial is superseded, revoked or
    /// already revoked.
    public static let refused: Int32 = 65
    public static let inputMissing: Int32 = 66
    public static let cannotCreate: Int32 = 73
    public static let ioError: Int32 = 74
    public static let ledgerBusy: Int32 = 75
    public static let permissionDenied: Int32 = 77
}

/// An error ready for the user: one line of text and the exit code.
public struct CommandError: Error, Sendable {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    public static func usage(_ message: String) -> CommandError {
        CommandError(message, exitCode: ExitCode.usage)
    }
}
