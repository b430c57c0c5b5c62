import Testing
@testable import VuptVerifier

/// The footer names the key before the signature is checked. Footers as Vupt writes them
/// are read without the JSON parser and every other form with it, so both must agree.
@Suite struct FooterTests {
    static let kid = "k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    /// Reads a footer into its key id and type, or the error's text.
    static func read(_ text: String) -> String {
        do {
            let footer = try Footer(Array(text.utf8))
            return "\(footer.keyID) \(footer.type ?? "nil")"
        } catch {
            return "error: \(error)"
        }
    }

    @Test(arguments: [
        (#"{"kid":"\#(kid)","typ":"vupt:license:v1"}"#, "\(kid) vupt:license:v1"),
        (#"{"kid": "\#(kid)", "typ": "vupt:license:v1"}"#, "\(kid) vupt:license:v1"),
        (#"{"typ":"vupt:license:v1","kid":"\#(kid)"}"#, "\(kid) vupt:license:v1"),
        (#"{"kid":"\#(kid)"}"#, "\(kid) nil"),
        (#"{"kid":"\#(kid)","typ":"vupt:license:v1","x":1}"#, "\(kid) vupt:license:v1"),
        (#"{"kid":"\#(kid)","typ":"vupt:lic\u0065nse:v1"}"#, "\(kid) vupt:license:v1"),
        (#"{"kid":"\#(kid)","typ":"vüpt"}"#, "\(kid) vüpt"),
        (#"{"kid":"k4.lid.x","typ":"vupt:license:v1"}"#, "error: \(ArtifactError.malformed("the footer's kid 'k4.lid.x' is not a k4.pid key id"))"),
        (#"{"kid":"","typ":"vupt:license:v1"}"#, "error: \(ArtifactError.malformed("the footer's kid '' is not a k4.pid key id"))"),
        (#"{"kid":"\#(kid)","typ":"vupt:license:v1"}x"#, "error: \(ArtifactError.invalidEncoding("the footer is not a JSON object"))"),
        (#"{"kid":"\#(kid)","typ":"vupt:license:v1\"}"#, "error: \(ArtifactError.invalidEncoding("the footer is not a JSON object"))"),
        (#"{"kid":"\#(kid)","kid":"\#(kid)","typ":"vupt:license:v1"}"#, "error: \(ArtifactError.duplicateKey("kid"))"),
        (#"{"kid":"\#(kid)","typ":1}"#, "error: \(ArtifactError.malformed("the footer's typ is not a string"))"),
    ])
    func footerReadsAlikeBothWays(_ footer: String, _ expected: String) {
        #expect(Self.read(footer) == expected)
    }
}
