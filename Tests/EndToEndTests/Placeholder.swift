import Testing
import VuptTestSupport

@Test func licenseHelpExitsZero() throws {
    let result = try TestSupport.run("vupt-license", ["--help"])
    #expect(result.exitCode == 0)
    #expect(result.standardOutput.contains("Usage: vupt-license"))
}
