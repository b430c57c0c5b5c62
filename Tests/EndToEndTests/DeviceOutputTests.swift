import Foundation
import Testing
import VuptTestSupport

/// Output options given a device, such as `--out /dev/null`, write to the device and
/// leave it a device. A temp file renamed over it would replace the device with a
/// regular file. The test uses its own null device node, made with mknod.
@Suite struct DeviceOutputTests {
    @Test func outputToDeviceKeepsDevice() throws {
        let workspace = try Workspace("device-output")
        defer { workspace.remove() }
        let device = workspace.path("null")
        let made = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/mknod"), ["-m", "666", device, "c", "1", "3"])
        // Creating device nodes needs root; elsewhere there is nothing to check.
        guard made.exitCode == 0 else { return }

        let mint = try workspace.issuer(
            ["mint", "--key", Workspace.testSecretKeyPath, "--customer", "acme-001", "--customer-name", "Acme",
             "--tier", "business", "--seats", "5", "--out", workspace.path("acme.lic"), "--ledger", workspace.ledgerPath,
             "--at", Workspace.issuedAt])
        try #require(mint.exitCode == 0, "\(mint.standardError)")

        let commands: [[String]] = [
            ["ledger", "checkpoint", "--out", device],
            ["ledger", "proof", "VUPT-00000001", "--out", device],
            ["ledger", "export", "--format", "csv", "--out", device],
            ["export", "VUPT-00000001", "--out", device, "--force"],
        ]
        for command in commands {
            let result = try workspace.issuer(command + ["--ledger", workspace.ledgerPath])
            #expect(result.exitCode == 0, "\(command.prefix(2)): \(result.standardError)")
            let attributes = try FileManager.default.attributesOfItem(atPath: device)
            #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial, "\(command.prefix(2)) replaced the device")
        }
    }
}
