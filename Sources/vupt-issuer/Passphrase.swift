#if canImport(Glibc)
import Glibc
#endif
import VuptCommandLine
import VuptSodium
import VuptVerifier

/// Obtains the key passphrase without it ever appearing in argv: from
/// `VUPT_ISSUER_PASSPHRASE`, from `--passphrase-file`, or typed on the terminal without echo.
enum Passphrase {
    static let environmentVariable = "VUPT_ISSUER_PASSPHRASE"
    static let maximumLength = 1024

    /// - Parameter confirm: ask twice on a terminal, for a new key.
    static func obtain(file: String?, confirm: Bool) throws -> SecureBytes {
        var bytes: [UInt8]
        if let file {
            bytes = try FileIO.read(file, limit: maximumLength + 2)
            if let newline = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                // The first line is the passphrase; wipe the rest before dropping it.
                for index in newline..<bytes.count { bytes[index] = 0 }
                bytes.removeSubrange(newline...)
            }
        } else if let value = getenv(environmentVariable) {
            bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: strlen(value)))
        } else if let tty = Terminal() {
            bytes = try tty.readSecret(prompt: "Passphrase: ")
            if confirm {
                var again = try tty.readSecret(prompt: "Passphrase again: ")
                defer { Sodium.wipe(&again) }
                guard Sodium.constantTimeEqual(bytes, again) else {
                    Sodium.wipe(&bytes)
                    throw CommandError.usage("the two passphrases differ; nothing was written")
                }
            }
        } else {
            throw CommandError.usage(
                "no passphrase: set \(environmentVariable), pass --passphrase-file FILE, or run on a terminal")
        }
        guard !bytes.isEmpty else {
            throw CommandError.usage("the passphrase is empty; give a non-empty passphrase")
        }
        guard bytes.count <= maximumLength else {
            Sodium.wipe(&bytes)
            throw CommandError.usage("the passphrase is longer than \(maximumLength) bytes")
        }
        return try SecureBytes(consuming: &bytes)
    }
}

/// The controlling terminal, for prompts that must not echo.
private struct Terminal {
    let descriptor: Int32

    init?() {
        let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    func readSecret(prompt: String) throws -> [UInt8] {
        Console.write(prompt, to: descriptor)
        var original = termios()
        let hasTermios = tcgetattr(descriptor, &original) == 0
        if hasTermios {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            tcsetattr(descriptor, TCSAFLUSH, &silent)
        }
        defer {
            if hasTermios { tcsetattr(descriptor, TCSAFLUSH, &original) }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1 {
            if byte == 0x0A || byte == 0x0D { break }
            bytes.append(byte)
            if bytes.count > Passphrase.maximumLength { break }
        }
        byte = 0
        return bytes
    }
}
