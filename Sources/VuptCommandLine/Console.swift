#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output and standard error without Foundation.
public enum Console {
    public static func out(_ text: String) {
        write(text + "\n", to: STDOUT_FILENO)
    }

    public static func error(_ text: String) {
        write(text + "\n", to: STDERR_FILENO)
    }

    public static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }

    /// True when standard input and standard error are a terminal.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}
