// swift-tools-version:6.0
// The customer side (VuptVerifier, vupt-license) depends on libsodium only.
// The vendor side (VuptIssuer, vupt-issuer) adds SQLite for the issuance ledger.
import PackageDescription

let package = Package(
    name: "vupt",
    products: [
        .library(name: "VuptVerifier", targets: ["VuptVerifier"]),
        .library(name: "VuptIssuer", targets: ["VuptIssuer"]),
        .executable(name: "vupt-license", targets: ["vupt-license"]),
        .executable(name: "vupt-issuer", targets: ["vupt-issuer"]),
    ],
    targets: [
        // C libraries from Debian packages, each imported by exactly one wrapper target.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "VuptSodium", dependencies: ["CSodium"]),
        .target(name: "VuptSQLite", dependencies: ["CSQLite"]),

        // Customer side: decoding, signature verification and verification rules.
        .target(name: "VuptVerifier", dependencies: ["VuptSodium"]),
        // Production public keys compiled into vupt-license, generated from keys/trusted/.
        .target(name: "VuptTrustedKeys", dependencies: ["VuptVerifier"]),
        // Argument parsing, exit codes and error output shared by both executables.
        .target(name: "VuptCommandLine", dependencies: ["VuptVerifier"]),
        .executableTarget(
            name: "vupt-license",
            dependencies: ["VuptVerifier", "VuptTrustedKeys", "VuptCommandLine"]
        ),

        // Vendor side: key files, minting and the issuance ledger.
        .target(name: "VuptIssuer", dependencies: ["VuptVerifier", "VuptSodium", "VuptSQLite"]),
        .executableTarget(
            name: "vupt-issuer",
            dependencies: ["VuptIssuer", "VuptVerifier", "VuptCommandLine"]
        ),

        // Parsers exposed to libFuzzer (scripts/fuzz) and the replay tool the tests use.
        .target(name: "VuptFuzzTargets", dependencies: ["VuptVerifier", "VuptSodium"]),
        .executableTarget(name: "vupt-fuzz", dependencies: ["VuptFuzzTargets", "VuptVerifier", "VuptCommandLine"]),

        // Benchmarks against limits measured in the same run (scripts/bench).
        .executableTarget(
            name: "vupt-bench",
            dependencies: ["VuptIssuer", "VuptVerifier", "VuptSodium", "VuptSQLite", "VuptCommandLine"]
        ),

        // Test-only helpers: the ../shared reference folder, temporary folders, and
        // running the built executables.
        .target(name: "VuptTestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "VuptVerifierTests",
            dependencies: ["VuptVerifier", "VuptSodium", "VuptTrustedKeys", "VuptTestSupport"]
        ),
        .testTarget(
            name: "VuptIssuerTests",
            dependencies: ["VuptIssuer", "VuptVerifier", "VuptSodium", "VuptSQLite", "VuptTestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            // VuptIssuer prepares large ledgers without one Argon2id unlock per license;
            // VuptSQLite edits ledger copies to check that the audit finds the damage.
            dependencies: [
                "vupt-issuer", "vupt-license", "VuptIssuer", "VuptVerifier", "VuptSodium", "VuptSQLite",
                "VuptTestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
