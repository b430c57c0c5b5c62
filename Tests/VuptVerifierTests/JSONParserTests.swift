import Testing
import VuptVerifier

/// The strict RFC 8259 parser behind payloads and footers.
@Suite struct JSONParserTests {
    func parse(_ text: String, maximumDepth: Int = 16) throws(JSONParseError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    // MARK: Values

    @Test func objectKeepsMemberOrder() throws {
        let value = try parse(#"{"b":1,"a":[true,false,null],"c":"x"}"#)

        guard case .object(let members) = value else {
            Issue.record("expected an object, got \(value)")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(value["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["c"] == .string("x"))
        #expect(value["missing"] == nil)
    }

    @Test func whiteSpaceAroundTokensAccepted() throws {
        let value = try parse(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ")

        #expect(value == .object([("a", .array([.number("1"), .number("2")]))]))
    }

    @Test(arguments: [
        "0", "-0", "12", "-12", "0.5", "1.50", "1e3", "1E+3", "1e-3", "12345678901234567890123",
        "-9223372036854775809", "1e400", "2.0",
    ])
    func numberKeptAsLiteral(literal: String) throws {
        #expect(try parse(literal) == .number(literal))
    }

    @Test(arguments: ["01", "-", "+1", ".5", "1.", "1e", "1e+", "-a", "00"])
    func invalidNumberRejected(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func leadingZeroReportsTrailingData() {
        #expect(throws: JSONParseError.trailingData(offset: 1)) { try parse("01") }
    }

    @Test func fractionWithoutDigitsReportsStart() {
        #expect(throws: JSONParseError.invalidNumber(offset: 5)) { try parse(#"{"a":1.}"#) }
    }

    @Test(arguments: ["tru", "nul", "True", "NULL", "undefined", "'a'", "NaN", "Infinity"])
    func invalidLiteralRejected(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func emptyInputIsUnexpectedEnd() {
        #expect(throws: JSONParseError.unexpectedEnd) { try parse("") }
        #expect(throws: JSONParseError.unexpectedEnd) { try parse("   ") }
    }

    @Test(arguments: [#"{"a":1"#, "[1,2", #""abc"#, #"{"a""#, "[", #""\u00"#])
    func truncatedInputIsUnexpectedEnd(text: String) {
        #expect(throws: JSONParseError.unexpectedEnd) { try parse(text) }
    }

    @Test(arguments: ["[1,]", #"{"a":1,}"#, "[,1]", #"{,"a":1}"#, "{1:2}", #"{"a" 1}"#, "[1 2]"])
    func misplacedPunctuationRejected(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    // MARK: Duplicate keys

    @Test func duplicateKeyAtTopLevelRejected() {
        #expect(throws: JSONParseError.duplicateKey("seats")) { try parse(#"{"seats":1,"tier":"x","seats":2}"#) }
    }

    @Test func duplicateKeyInNestedObjectRejected() {
        #expect(throws: JSONParseError.duplicateKey("a")) { try parse(#"{"outer":{"a":1,"a":1}}"#) }
    }

    @Test func duplicateKeyInsideArrayRejected() {
        #expect(throws: JSONParseError.duplicateKey("k")) { try parse(#"[1,[{"x":{"k":null,"k":true}}]]"#) }
    }

    @Test func duplicateKeyWrittenWithEscapeRejected() {
        // "\u0061" and "a" are the same member name once decoded.
        #expect(throws: JSONParseError.duplicateKey("a")) { try parse(#"{"a":1,"\u0061":2}"#) }
    }

    /// Objects up to 32 members compare names directly, larger ones use a set; both refuse.
    @Test(arguments: [2, 31, 32, 33, 40, 200])
    func duplicateKeyAfterManyMembersRejected(count: Int) {
        let members = (0..<count).map { #""m\#($0)":\#($0)"# } + [#""m\#(count / 2)":0"#]
        #expect(throws: JSONParseError.duplicateKey("m\(count / 2)")) { try parse("{" + members.joined(separator: ",") + "}") }
    }

    @Test(arguments: [31, 32, 33, 200])
    func manyDistinctMembersAccepted(count: Int) throws {
        let members = (0..<count).map { #""m\#($0)":\#($0)"# }
        guard case .object(let parsed) = try parse("{" + members.joined(separator: ",") + "}") else {
            Issue.record("not an object")
            return
        }
        #expect(parsed.count == count)
    }

    @Test func sameKeyInSiblingObjectsAccepted() throws {
        let value = try parse(#"[{"a":1},{"a":2}]"#)

        #expect(value == .array([.object([("a", .number("1"))]), .object([("a", .number("2"))])]))
    }

    // MARK: Depth

    @Test func depthAtLimitAccepted() throws {
        let text = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)

        #expect(throws: Never.self) { try parse(text) }
    }

    @Test func depthAboveLimitRejected() {
        let text = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)

        #expect(throws: JSONParseError.tooDeep(maximum: 16)) { try parse(text) }
    }

    @Test func objectDepthCountsLikeArrays() {
        let nested = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)

        #expect(throws: Never.self) { try parse(nested, maximumDepth: 3) }
        #expect(throws: JSONParseError.tooDeep(maximum: 2)) { try parse(nested, maximumDepth: 2) }
    }

    @Test func scalarsDoNotCountAsDepth() {
        #expect(throws: Never.self) { try parse(#"{"a":"b"}"#, maximumDepth: 1) }
        #expect(throws: JSONParseError.tooDeep(maximum: 1)) { try parse(#"{"a":[]}"#, maximumDepth: 1) }
    }

    @Test func deepInputStopsAtLimit() {
        // Far deeper than the limit, so a parser that recursed first would exhaust the stack.
        let text = String(repeating: "[", count: 100_000)

        #expect(throws: JSONParseError.tooDeep(maximum: 16)) { try parse(text) }
    }

    // MARK: Strings

    @Test func simpleEscapesDecoded() throws {
        let value = try parse(#""\"\\\/\b\f\n\r\t""#)

        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\t"))
    }

    @Test func unicodeEscapeDecoded() throws {
        #expect(try parse(#""\u00e9\u00E9\u0041""#) == .string("ééA"))
    }

    @Test func surrogatePairDecoded() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("\u{1D11E}"))
    }

    @Test func rawMultiByteUTF8Kept() throws {
        #expect(try parse("\"Müller 😀 東京\"") == .string("Müller 😀 東京"))
    }

    @Test func loneHighSurrogateRejected() {
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(#""\ud83d""#) }
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(#""\ud83dx""#) }
    }

    @Test func highSurrogateWithoutLowRejected() {
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(#""\ud83d\u0041""#) }
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(#""\ud83d\ud83d""#) }
    }

    @Test func loneLowSurrogateRejected() {
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(#""\ude00""#) }
    }

    @Test(arguments: [#""\x41""#, #""\'""#, #""\a""#, #""\U0041""#, #""\0""#, "\"\\ \""])
    func invalidEscapeRejected(text: String) {
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try parse(text) }
    }

    /// Long strings are scanned eight bytes at a time, so a special byte is placed at every
    /// position of a few such words.
    @Test func specialByteFoundAtEveryPosition() throws {
        for position in 0..<24 {
            let before = String(repeating: "a", count: position)
            let after = String(repeating: "b", count: 23 - position)
            #expect(try parse("\"\(before)\\n\(after)\"") == .string(before + "\n" + after), "escape at \(position)")
            #expect(throws: JSONParseError.controlCharacterInString(offset: position + 1), "control at \(position)") {
                try parse("\"\(before)\u{01}\(after)\"")
            }
            #expect(throws: JSONParseError.trailingData(offset: position + 2), "quote at \(position)") {
                try parse("\"\(before)\"\(after)\"")
            }
        }
    }

    @Test func longStringWithMultiByteCharactersKept() throws {
        let text = String(repeating: "zürich-東京-", count: 40)
        #expect(try parse("\"\(text)\"") == .string(text))
    }

    @Test func invalidHexDigitRejected() {
        #expect(throws: JSONParseError.invalidEscape(offset: 5)) { try parse(#""\u12G4""#) }
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x09, 0x0A, 0x0D, 0x1F])
    func controlCharacterInStringRejected(byte: UInt8) {
        let bytes = Array(#""ab"#.utf8) + [byte] + Array(#"c""#.utf8)

        #expect(throws: JSONParseError.controlCharacterInString(offset: 3)) { try JSONValue.parse(bytes) }
    }

    @Test func deleteCharacterInStringAccepted() throws {
        #expect(try JSONValue.parse(Array(#""a"#.utf8) + [0x7F] + Array(#"""#.utf8)) == .string("a\u{7F}"))
    }

    @Test(arguments: [[UInt8(0xFF)], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]])
    func invalidUTF8Rejected(bytes: [UInt8]) {
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue.parse(bytes) }
    }

    // MARK: Trailing data

    @Test(arguments: [("{} x", 3), ("1 2", 2), ("{}{}", 2), ("[]]", 2), ("nullx", 4), ("\"a\"\"b\"", 3)])
    func trailingDataRejected(text: String, offset: Int) {
        #expect(throws: JSONParseError.trailingData(offset: offset)) { try parse(text) }
    }

    @Test func trailingNULRejected() {
        #expect(throws: JSONParseError.trailingData(offset: 2)) { try JSONValue.parse(Array("{}".utf8) + [0]) }
    }

    // MARK: Serialization

    @Test func compactTextRoundTripsByteForByte() throws {
        let text = #"{"iss":"vupt","n":-1.50e+3,"big":123456789012345678901,"list":["a",{"b":null}],"t":true,"e":{}}"#

        #expect(try parse(text).serialized() == Array(text.utf8))
    }

    @Test func valueRoundTripsThroughSerialization() throws {
        let value = JSONValue.object([
            ("quote", .string("say \"hi\"\\ / ok")),
            ("controls", .string("\u{00}\u{01}\u{08}\u{0C}\n\r\t\u{1F}")),
            ("unicode", .string("é 😀 \u{2028}")),
            ("numbers", .array([.integer(0), .integer(Int64.min), .integer(Int64.max), .number("1e-7")])),
            ("nested", .object([("empty", .array([])), ("object", .object([]))])),
            ("flags", .array([.bool(true), .bool(false), .null])),
        ])

        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test func serializedEscapesControlCharacters() {
        let bytes = JSONValue.string("a\u{01}\n\t\u{1F}\"\\").serialized()

        #expect(String(decoding: bytes, as: UTF8.self) == #""a\u0001\n\t\u001f\"\\""#)
    }

    @Test func serializedKeepsSolidusAndNonASCII() {
        let bytes = JSONValue.string("a/b é").serialized()

        #expect(String(decoding: bytes, as: UTF8.self) == "\"a/b é\"")
    }

    @Test func serializedObjectIsCompact() {
        let value = JSONValue.object([("b", .integer(2)), ("a", .array([.null, .bool(false)]))])

        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"b":2,"a":[null,false]}"#)
    }

    @Test func objectEqualityDependsOnOrder() {
        let ab = JSONValue.object([("a", .null), ("b", .null)])
        let ba = JSONValue.object([("b", .null), ("a", .null)])

        #expect(ab != ba)
    }
}
