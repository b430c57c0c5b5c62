import Foundation
import Testing
import VuptSodium
import VuptVerifier

/// Writing and reading armored artifact files with `ArmoredFile`: the damage that copying
/// between systems does to text, and the files that must be rejected.
@Suite struct ArmoredFileTests {
    /// A token long enough to wrap over three lines at 64 columns.
    static let token = "v4.public." + Base64URL.encode((0..<120).map { UInt8($0 * 7 % 256) })
        + "." + Base64URL.encode(Array(#"{"kid":"k4.pid.x","typ":"vupt:license:v1"}"#.utf8))

    static let armored = ArmoredFile.armor(
        token: token, kind: .license, informationalLines: ["Serial:   VUPT-00000001", "Customer: ACME"])

    func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Checks that `bytes` contain exactly one license block holding `token`.
    func expectSingleLicense(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let blocks = try ArmoredFile.blocks(in: bytes)
        #expect(blocks.count == 1, sourceLocation: sourceLocation)
        #expect(blocks.first?.label == "VUPT LICENSE", sourceLocation: sourceLocation)
        #expect(blocks.first?.kind == .license, sourceLocation: sourceLocation)
        #expect(blocks.first?.token == Self.token, sourceLocation: sourceLocation)
    }

    // MARK: Writing

    @Test func armorWrapsAt64Columns() {
        let lines = Self.armored.split(separator: "\n", omittingEmptySubsequences: false)
        let begin = lines.firstIndex(of: "-----BEGIN VUPT LICENSE-----")
        let end = lines.firstIndex(of: "-----END VUPT LICENSE-----")

        #expect(Self.token.count > 2 * ArmoredFile.lineWidth)
        #expect(begin == 3)
        #expect(end != nil)
        #expect(lines.last == "")
        if let begin, let end {
            let body = lines[(begin + 1)..<end]
            #expect(body.dropLast().allSatisfy { $0.count == 64 })
            #expect((1...64).contains(body.last?.count ?? 0))
            #expect(body.joined() == Self.token)
        }
    }

    @Test func armorMarksInformationalLines() {
        let lines = Self.armored.split(separator: "\n")

        #expect(lines[0] == "# Informational only, never trusted: the signed block below is authoritative.")
        #expect(lines[1] == "# Serial:   VUPT-00000001")
        #expect(lines[2] == "# Customer: ACME")
    }

    @Test func armorWithoutInformationalLinesStartsWithBegin() {
        let text = ArmoredFile.armor(token: "abc", kind: .revocationList)

        #expect(text == "-----BEGIN VUPT REVOCATION LIST-----\nabc\n-----END VUPT REVOCATION LIST-----\n")
    }

    // MARK: Round trips and copied text

    @Test func armorThenBlocksRoundTrips() throws {
        try expectSingleLicense(utf8(Self.armored))
    }

    @Test func revocationListKindRecognized() throws {
        let blocks = try ArmoredFile.blocks(in: utf8(ArmoredFile.armor(token: Self.token, kind: .revocationList)))

        #expect(blocks.map(\.kind) == [.revocationList])
        #expect(blocks.first?.label == "VUPT REVOCATION LIST")
    }

    @Test func crlfLineEndsAccepted() throws {
        try expectSingleLicense(utf8(Self.armored.replacingAll("\n", with: "\r\n")))
    }

    @Test func loneCRLineEndsAccepted() throws {
        try expectSingleLicense(utf8(Self.armored.replacingAll("\n", with: "\r")))
    }

    @Test func mixedLineEndsAndBlankLinesAccepted() throws {
        let mixed = Self.armored.replacingAll("\n", with: "\r\n\n\r")

        try expectSingleLicense(utf8(mixed))
    }

    @Test func utf8ByteOrderMarkAccepted() throws {
        try expectSingleLicense([0xEF, 0xBB, 0xBF] + utf8(Self.armored))
    }

    @Test func utf16LittleEndianConverted() throws {
        let units = Array(Self.armored.replacingAll("\n", with: "\r\n").utf16)
        let bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }

        try expectSingleLicense(bytes)
    }

    @Test func utf16BigEndianConverted() throws {
        let units = Array(Self.armored.utf16)
        let bytes: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }

        try expectSingleLicense(bytes)
    }

    @Test func utf16TrailingNULPaddingAccepted() throws {
        let units = Array(Self.armored.utf16)
        let bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0, 0]

        try expectSingleLicense(bytes)
    }

    @Test func utf16OddLengthRejected() {
        let units = Array(Self.armored.utf16)
        let bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x41]

        #expect(throws: ArtifactError.utf16) { try ArmoredFile.blocks(in: bytes) }
    }

    @Test func utf16UnpairedSurrogateRejected() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x41, 0x00]

        #expect(throws: ArtifactError.utf16) { try ArmoredFile.blocks(in: bytes) }
    }

    @Test func utf16WithoutByteOrderMarkIsBinary() {
        let bytes = Array(Self.armored.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }

        #expect(throws: ArtifactError.binary) { try ArmoredFile.blocks(in: bytes) }
    }

    @Test func blockInsideEmailAccepted() throws {
        let email = """
            From: licensing@vendor.example
            Subject: Your license

            Hello,

            your license is below. Save everything between the dashed lines as license.lic.

            \(Self.armored)
            Kind regards,
            --
            Vendor licensing team
            """

        try expectSingleLicense(utf8(email))
    }

    @Test func indentedAndSpacedBlockAccepted() throws {
        let indented = Self.armored.split(separator: "\n").map { "   \t" + $0 + " \t" }.joined(separator: "\n")

        try expectSingleLicense(utf8(indented))
    }

    @Test func unwrappedTokenAccepted() throws {
        let text = "-----BEGIN VUPT LICENSE-----\n\(Self.token)\n-----END VUPT LICENSE-----"

        try expectSingleLicense(utf8(text))
    }

    @Test func otherWrapWidthAccepted() throws {
        var body = ""
        var remaining = Substring(Self.token)
        while !remaining.isEmpty {
            body += remaining.prefix(76) + "\n"
            remaining = remaining.dropFirst(76)
        }
        let text = "-----BEGIN VUPT LICENSE-----\n\(body)-----END VUPT LICENSE-----\n"

        try expectSingleLicense(utf8(text))
    }

    @Test func trailingNULPaddingAccepted() throws {
        try expectSingleLicense(utf8(Self.armored) + [UInt8](repeating: 0, count: 4096))
    }

    @Test func nonWhiteSpaceInsideBlockKept() throws {
        let text = "-----BEGIN VUPT LICENSE-----\nv4.public.ab\ncd>ef\n-----END VUPT LICENSE-----\n"
        let blocks = try ArmoredFile.blocks(in: utf8(text))

        #expect(blocks.first?.token == "v4.public.abcd>ef")
    }

    @Test func twoBlocksReturnedInOrder() throws {
        let revocation = ArmoredFile.armor(token: "second", kind: .revocationList)
        let blocks = try ArmoredFile.blocks(in: utf8(Self.armored + "\n" + revocation))

        #expect(blocks.map(\.kind) == [.license, .revocationList])
        #expect(blocks.map(\.token) == [Self.token, "second"])
    }

    @Test func unknownVuptLabelHasNoKind() throws {
        let text = "-----BEGIN VUPT SOMETHING NEW-----\nabc\n-----END VUPT SOMETHING NEW-----\n"
        let blocks = try ArmoredFile.blocks(in: utf8(text))

        #expect(blocks.first?.label == "VUPT SOMETHING NEW")
        #expect(blocks.first?.kind == nil)
    }

    // MARK: Rejected files

    @Test func missingEndIsMalformed() {
        let truncated = Self.armored.components(separatedBy: "-----END").first ?? ""
        let error = #expect(throws: ArtifactError.self) { try ArmoredFile.blocks(in: utf8(truncated)) }

        guard case .malformed(let detail)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("no END line"))
    }

    @Test func mismatchedEndIsMalformed() {
        let text = "-----BEGIN VUPT LICENSE-----\nabc\n-----END VUPT REVOCATION LIST-----\n"

        #expect(throws: ArtifactError.malformed("the block BEGIN VUPT LICENSE ends with END VUPT REVOCATION LIST")) {
            try ArmoredFile.blocks(in: utf8(text))
        }
    }

    @Test func nestedBeginIsMalformed() {
        let text = "-----BEGIN VUPT LICENSE-----\nabc\n" + Self.armored

        #expect(throws: ArtifactError.malformed("a BEGIN line for VUPT LICENSE appears before the END of VUPT LICENSE")) {
            try ArmoredFile.blocks(in: utf8(text))
        }
    }

    @Test func emptyBlockIsMalformed() {
        let text = "-----BEGIN VUPT LICENSE-----\n  \n\n-----END VUPT LICENSE-----\n"

        #expect(throws: ArtifactError.malformed("the VUPT LICENSE block is empty")) {
            try ArmoredFile.blocks(in: utf8(text))
        }
    }

    @Test func textWithoutBlockRejected() {
        #expect(throws: ArtifactError.noArmoredBlock) { try ArmoredFile.blocks(in: utf8("Hello,\nno license here.\n")) }
    }

    @Test func bareTokenWithoutArmorRejected() {
        #expect(throws: ArtifactError.noArmoredBlock) { try ArmoredFile.blocks(in: utf8(Self.token + "\n")) }
    }

    @Test func emptyFileRejected() {
        #expect(throws: ArtifactError.noArmoredBlock) { try ArmoredFile.blocks(in: []) }
    }

    @Test func otherPEMLabelIgnored() {
        let text = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"

        #expect(throws: ArtifactError.noArmoredBlock) { try ArmoredFile.blocks(in: utf8(text)) }
    }

    @Test func binaryFileRejected() {
        // The start of a gzip stream: magic bytes, then binary data with a NUL.
        let bytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03] + utf8(Self.armored)

        #expect(throws: ArtifactError.binary) { try ArmoredFile.blocks(in: bytes) }
    }

    @Test func invalidUTF8IsBinary() {
        #expect(throws: ArtifactError.binary) { try ArmoredFile.blocks(in: utf8(Self.armored) + [0xC3, 0x28]) }
    }

    @Test func embeddedNULIsBinary() {
        var bytes = utf8(Self.armored)
        bytes.insert(0, at: 10)

        #expect(throws: ArtifactError.binary) { try ArmoredFile.blocks(in: bytes) }
    }

    @Test func fileOfExactlyOneMebibyteAccepted() throws {
        let armored = utf8(Self.armored)
        let padding = [UInt8](repeating: UInt8(ascii: "\n"), count: ArmoredFile.maximumFileSize - armored.count)

        try expectSingleLicense(armored + padding)
    }

    @Test func fileOverOneMebibyteRejected() {
        let armored = utf8(Self.armored)
        let padding = [UInt8](repeating: UInt8(ascii: "\n"), count: ArmoredFile.maximumFileSize - armored.count + 1)

        #expect(ArmoredFile.maximumFileSize == 1_048_576)
        #expect(throws: ArtifactError.tooLarge(size: 1_048_577, limit: 1_048_576)) {
            try ArmoredFile.blocks(in: armored + padding)
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
