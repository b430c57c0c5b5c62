/// A JSON value as RFC 8259 defines it, with object members kept in their order.
///
/// Numbers keep their literal text so that integers outside `Int64` are reported,
/// never rounded through `Double`.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Returns the member named `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public static func integer(_ value: Int64) -> JSONValue { .number(String(value)) }
}

/// Errors from the strict JSON parser, with the byte offset where parsing stopped.
public enum JSONParseError: Error, Equatable, Sendable {
    case invalidUTF8
    case unexpectedEnd
    case unexpectedCharacter(offset: Int)
    case invalidEscape(offset: Int)
    case invalidNumber(offset: Int)
    case controlCharacterInString(offset: Int)
    case duplicateKey(String)
    case tooDeep(maximum: Int)
    case trailingData(offset: Int)
}

extension JSONValue {
    /// Parses exactly one JSON value from UTF-8 bytes.
    ///
    /// The parser is stricter than `JSONDecoder`: a repeated member name in any object is an
    /// error, because two readers could otherwise disagree about which value a signature covers.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = 16) throws(JSONParseError) -> JSONValue {
        // Tokens are ASCII, so the full UTF-8 check runs only when a byte above 0x7F is present.
        guard bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalidUTF8
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = JSONParser(bytes: buffer, maximumDepth: maximumDepth)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 1)
            parser.skipWhitespace()
            guard parser.offset == buffer.count else { throw .trailingData(offset: parser.offset) }
            return value
        }
    }

    /// Serializes compactly, members in their stored order, with the escapes RFC 8259 requires.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let literal):
            var contiguous = literal
            contiguous.withUTF8 { output.append(contentsOf: $0) }
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var contiguous = text
        let plain = contiguous.withUTF8 { bytes in
            guard JSONString.plainRunEnd(bytes, from: 0) == bytes.count else { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if plain {
            output.append(UInt8(ascii: "\""))
            return
        }
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                output += Array("\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// Bytes that JSON strings hold as they are.
package enum JSONString {
    /// Returns the offset of the first byte at or after `start` that a JSON string cannot
    /// hold as it is ('"', '\\' or a control character), or `bytes.count`. It tests eight
    /// bytes at a time, because tokens inside ledger entries are about a kilobyte of such bytes.
    package static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var offset = start
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            // Each term is non-zero exactly when some byte of the word is, in turn, a
            // quote, a backslash or below 0x20 (the classic "has zero byte" bit trick).
            let quotes = word ^ (ones &* 0x22)
            let backslashes = word ^ (ones &* 0x5C)
            let special = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                | ((word &- ones &* 0x20) & ~word)
            if special & highBits != 0 { break }
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            offset += 1
        }
        return offset
    }
}

/// The parser reads through a buffer pointer that is valid only inside `JSONValue.parse`,
/// so every value it returns is a copy.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    func peek() throws(JSONParseError) -> UInt8 {
        guard offset < bytes.count else { throw .unexpectedEnd }
        return bytes[offset]
    }

    mutating func expectLiteral(_ literal: String) throws(JSONParseError) {
        for byte in literal.utf8 {
            guard offset < bytes.count else { throw .unexpectedEnd }
            guard bytes[offset] == byte else { throw .unexpectedCharacter(offset: offset) }
            offset += 1
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw .unexpectedCharacter(offset: offset)
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw .tooDeep(maximum: maximumDepth) }
        offset += 1
        var members: [(key: String, value: JSONValue)] = []
        // Small objects, such as every artifact's, compare names directly. A set takes over
        // for larger ones so that the check stays linear.
        var seen: Set<String>?
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedCharacter(offset: offset) }
            let key = try parseString()
            if seen == nil, members.count >= 32 { seen = Set(members.map(\.key)) }
            if seen != nil {
                guard seen!.insert(key).inserted else { throw .duplicateKey(key) }
            } else if members.contains(where: { $0.key == key }) {
                throw .duplicateKey(key)
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedCharacter(offset: offset) }
            offset += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw .unexpectedCharacter(offset: offset - 1) }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw .tooDeep(maximum: maximumDepth) }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { throw .unexpectedCharacter(offset: offset - 1) }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = offset
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw .invalidNumber(offset: start) }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw .invalidNumber(offset: start) }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw .invalidNumber(offset: start) }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        return .number(String(decoding: bytes[start..<offset], as: UTF8.self))
    }

    mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .invalidEscape(offset: offset)
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    /// Advances over string content that needs no attention.
    mutating func skipPlainStringBytes() {
        offset = JSONString.plainRunEnd(bytes, from: offset)
    }

    mutating func parseString() throws(JSONParseError) -> String {
        offset += 1
        // The input was validated as UTF-8 up front, so unescaped runs are copied as bytes
        // and escapes are appended as their UTF-8 encoding.
        var utf8: [UInt8] = []
        var literalStart = offset
        while true {
            skipPlainStringBytes()
            guard offset < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                defer { offset += 1 }
                if utf8.isEmpty { return String(decoding: bytes[literalStart..<offset], as: UTF8.self) }
                utf8 += bytes[literalStart..<offset]
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw .controlCharacterInString(offset: offset) }
            if byte != UInt8(ascii: "\\") {
                offset += 1
                continue
            }
            utf8 += bytes[literalStart..<offset]
            let escapeOffset = offset
            offset += 1
            guard offset < bytes.count else { throw .unexpectedEnd }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                let unit = try parseHexQuad()
                var scalarValue = unit
                if (0xD800..<0xDC00).contains(unit) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard offset + 2 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    else { throw .invalidEscape(offset: escapeOffset) }
                    offset += 2
                    let low = try parseHexQuad()
                    guard (0xDC00..<0xE000).contains(low) else { throw .invalidEscape(offset: escapeOffset) }
                    scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(unit) {
                    throw .invalidEscape(offset: escapeOffset)
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { throw .invalidEscape(offset: escapeOffset) }
                utf8 += UTF8.encode(scalar)!
            default:
                throw .invalidEscape(offset: escapeOffset)
            }
            literalStart = offset
        }
    }
}
