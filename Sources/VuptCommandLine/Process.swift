#if canImport(Glibc)
import Glibc
#endif

public func exitProcess(_ code: Int32) -> Never {
    exit(code)
}

/// The process's arguments without the program name.
public var commandLineArguments: [String] { Array(CommandLine.arguments.dropFirst()) }

/// Returns the operator name for ledger records: `VUPT_OPERATOR`, else the login name, else the
/// user database entry for the effective user id.
public func currentOperatorName() -> String {
    if let name = getenv("VUPT_OPERATOR").map({ String(cString: $0) }), !name.isEmpty { return name }
    if let login = getlogin() { return String(cString: login) }
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return "uid-\(geteuid())"
}

public func isRoot() -> Bool { geteuid() == 0 }
