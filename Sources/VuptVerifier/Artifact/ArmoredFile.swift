/// One `-----BEGIN VUPT …-----` block found in a file.
public struct ArmoredBlock: Equatable, Sendable {
    /// The label between `BEGIN` and the dashes, for example `VUPT LICENSE`.
    public let label: String
    /// The kind the label names, or nil for a label this build does not know.
    public var kind: ArtifactKind? { ArtifactKind.allCases.first { $0.armorLabel == label } }
    /// The token with every space, tab and line break removed and nothing else changed.
    public let token: String
}

/// Reading and writing armored artifact files.
///
/// Reading is tolerant of what copying between systems does to text: CRLF and lone-CR
/// line ends, a UTF-8 or UTF-16 byte order mark, blank lines, surrounding text such as an
/// e-mail body, any wrap width, and trailing NUL padding. Inside a block only white space
/// is removed, so any other change to the token surfaces as an encoding or signature error.
public enum ArmoredFile {
    /// Files larger than this are rejected before they are parsed.
    public static let maximumFileSize = 1 << 20
    /// Maximum line length in bytes: room for a whole unwrapped token.
    public static let maximumLineLength = 64 * 1024 + 64
    /// Width of the token lines this tool writes.
    public static let lineWidth = 64

    /// Writes an armored block, preceded by informational lines that the reader ignores.
    public static func armor(token: String, kind: ArtifactKind, informationalLines: [String] = []) -> String {
        var text = ""
        if !informationalLines.isEmpty {
            text += "# Informational only, never trusted: the signed block below is authoritative.\n"
            for line in informationalLines { text += "# \(line)\n" }
        }
        text += "-----BEGIN \(kind.armorLabel)-----\n"
        var remaining = Substring(token)
        while !remaining.isEmpty {
            text += remaining.prefix(lineWidth) + "\n"
            remaining = remaining.dropFirst(lineWidth)
        }
        text += "-----END \(kind.armorLabel)-----\n"
        return text
    }

    /// Decodes the file's bytes to text: UTF-8 with an optional byte order mark, or UTF-16
    /// with a byte order mark, which Windows PowerShell writes by default.
    public static func decodeText(_ bytes: [UInt8]) throws(ArtifactError) -> String {
        guard bytes.count <= maximumFileSize else { throw .tooLarge(size: bytes.count, limit: maximumFileSize) }
        var content = ArraySlice(bytes)
        if content.starts(with: [0xFF, 0xFE]) || content.starts(with: [0xFE, 0xFF]) {
            return try decodeUTF16(content)
        }
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        while content.last == 0 { content = content.dropLast() }
        guard !content.contains(where: { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) }),
            let text = String(validating: content, as: UTF8.self)
        else { throw .binary }
        return text
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>) throws(ArtifactError) -> String {
        let littleEndian = bytes.first == 0xFF
        var body = bytes.dropFirst(2)
        if body.count % 2 == 1 {
            // A trailing lone NUL is padding; any other odd length is damage.
            guard body.last == 0 else { throw .utf16 }
            body = body.dropLast()
        }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index < body.endIndex {
            let first = UInt16(body[index])
            let second = UInt16(body[index + 1])
            units.append(littleEndian ? first | second << 8 : first << 8 | second)
            index += 2
        }
        while units.last == 0 { units.removeLast() }
        guard let text = String(validating: units, as: UTF16.self),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0.value) })
        else { throw .utf16 }
        return text
    }

    /// Finds every armored block in the file, in order.
    public static func blocks(in bytes: [UInt8]) throws(ArtifactError) -> [ArmoredBlock] {
        let text = try decodeText(bytes)
        var blocks: [ArmoredBlock] = []
        var openLabel: String?
        var token: [UInt8] = []

        for (number, rawLine) in lines(of: text).enumerated() {
            guard rawLine.utf8.count <= maximumLineLength else {
                throw .malformed("line \(number + 1) is \(rawLine.utf8.count) bytes, over the \(maximumLineLength)-byte limit")
            }
            let line = rawLine.trimmingWhitespace()
            if let label = marker(line, keyword: "BEGIN") {
                guard openLabel == nil else {
                    throw .malformed("a BEGIN line for \(label) appears before the END of \(openLabel!)")
                }
                openLabel = label
                token = []
                continue
            }
            guard let label = openLabel else { continue }
            if let endLabel = marker(line, keyword: "END") {
                guard endLabel == label else {
                    throw .malformed("the block BEGIN \(label) ends with END \(endLabel)")
                }
                guard !token.isEmpty else { throw .malformed("the \(label) block is empty") }
                blocks.append(ArmoredBlock(label: label, token: String(decoding: token, as: UTF8.self)))
                openLabel = nil
                continue
            }
            for byte in line.utf8 where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != 0x0C {
                token.append(byte)
            }
            guard token.count <= ArtifactVerifier.maximumTokenLength else {
                throw .tokenTooLong(length: token.count, limit: ArtifactVerifier.maximumTokenLength)
            }
        }
        if let label = openLabel {
            throw .malformed("the \(label) block has no END line; the file may be truncated")
        }
        guard !blocks.isEmpty else { throw .noArmoredBlock }
        return blocks
    }

    /// Like `blocks(in:)`, but a file that holds nothing but one token, as pasted from an
    /// e-mail, counts as one block. Its kind is taken from the footer's `typ`, which only
    /// picks the parser: the domain tag that is verified still comes from that kind.
    public static func blocksOrBareToken(in bytes: [UInt8]) throws(ArtifactError) -> [ArmoredBlock] {
        do {
            return try blocks(in: bytes)
        } catch .noArmoredBlock {
            let text = try decodeText(bytes)
            let token = Substring(text).trimmingWhitespaceAndNewlines()
            guard token.hasPrefix("v4.public."), !token.contains(where: { $0.isWhitespace }) else {
                throw .noArmoredBlock
            }
            let kind = (try? PASETOv4Public.parse(String(token))).flatMap { try? Footer($0.footer) }?.type
                .flatMap(ArtifactKind.matching(tagPrefixOf:)) ?? .license
            return [ArmoredBlock(label: kind.armorLabel, token: String(token))]
        }
    }

    /// Splits on LF, CRLF and lone CR alike.
    private static func lines(of text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        let scalars = text.unicodeScalars
        var scalarIndex = scalars.startIndex
        while scalarIndex < scalars.endIndex {
            let scalar = scalars[scalarIndex]
            if scalar == "\n" || scalar == "\r" {
                index = scalarIndex
                result.append(text[start..<index])
                var next = scalars.index(after: scalarIndex)
                if scalar == "\r", next < scalars.endIndex, scalars[next] == "\n" { next = scalars.index(after: next) }
                start = next
                scalarIndex = next
                continue
            }
            scalarIndex = scalars.index(after: scalarIndex)
        }
        result.append(text[start...])
        return result
    }

    /// Returns the label of a line such as `-----BEGIN VUPT LICENSE-----`.
    private static func marker(_ line: Substring, keyword: String) -> String? {
        let prefix = "-----\(keyword) "
        guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count > prefix.count + 5 else { return nil }
        let label = line.dropFirst(prefix.count).dropLast(5)
        guard label.hasPrefix("VUPT ") else { return nil }
        return String(label)
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\u{0C}" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\u{0C}" { result = result.dropLast() }
        return result
    }
}
