import Foundation
import Testing
import VuptTestSupport

/// The tools never open a socket or resolve a name: no socket or resolver function is
/// even linked, and the customer flow passes unchanged with no network interfaces.
@Suite struct NoNetworkTests {
    static let networkFunctions = [
        "socket", "connect", "bind", "listen", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg",
        "getaddrinfo", "gethostbyname", "gethostbyname2", "getnameinfo", "res_query", "res_search",
    ]

    @Test(arguments: ["vupt-license", "vupt-issuer"])
    func binaryLinksNoSocketFunctions(_ executable: String) throws {
        let binary = TestSupport.binaryDirectory.appendingPathComponent(executable).path
        let result = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/nm"), ["-D", "--undefined-only", binary])
        try #require(result.exitCode == 0, "nm failed: \(result.standardError)")
        let imported = Set(result.standardOutput.split(separator: "\n").compactMap { line in
            line.split(separator: " ").last.map { String($0.split(separator: "@").first ?? $0) }
        })
        for function in Self.networkFunctions {
            #expect(!imported.contains(function), "\(executable) imports \(function)")
        }
    }

    @Test func customerFlowWithoutNetwork() throws {
        guard (try? TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/unshare"), ["-n", "true"]).exitCode) == 0 else {
            // An unprivileged sandbox may refuse new network namespaces; the symbol check above still runs.
            return
        }
        let folder = try TestSupport.makeTemporaryDirectory("vupt-offline")
        defer { TestSupport.removeTemporaryDirectory(folder) }
        let root = TestSupport.repositoryRoot
        let license = folder.appendingPathComponent("license.lic").path
        let store = folder.appendingPathComponent("store").path
        let publicKey = root.appendingPathComponent("keys/test/vupt-test.pub").path
        let mint = try TestSupport.run(
            "vupt-issuer",
            ["mint", "--key", root.appendingPathComponent("keys/test/vupt-test.key").path, "--customer", "offline-1",
             "--customer-name", "Offline Ltd", "--tier", "business", "--seats", "5", "--out", license,
             "--ledger", folder.appendingPathComponent("ledger.sqlite").path],
            environment: ["VUPT_ISSUER_PASSPHRASE": "vupt-test-key-NOT-SECRET"])
        try #require(mint.exitCode == 0, "mint failed: \(mint.standardError)")

        let binaries = TestSupport.binaryDirectory
        let steps: [[String]] = [
            ["import", license, "--public-key", publicKey, "--store", store],
            ["verify", "--public-key", publicKey, "--store", store],
            ["verify", license, "--public-key", publicKey, "--store", store],
            ["status", "--public-key", publicKey, "--store", store],
        ]
        for step in steps {
            let result = try TestSupport.runProcess(
                URL(fileURLWithPath: "/usr/bin/unshare"),
                ["-n", binaries.appendingPathComponent("vupt-license").path] + step)
            #expect(result.exitCode == 0, "vupt-license \(step[0]) without network: \(result.standardError)")
        }
    }
}
