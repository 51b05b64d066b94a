// swift-tools-version:6.1
import PackageDescription

// Module cut (see README "Architecture"): C system libraries at the bottom, then
// randomness, big-integer mathematics, cryptography and privacy, then executables.
// No module above TesseraRandom/TesseraMath touches a C pointer.
let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
        .library(name: "TesseraCrypto", targets: ["TesseraCrypto"]),
        .library(name: "TesseraPrivacy", targets: ["TesseraPrivacy"]),
        // For the libFuzzer driver, a package of its own (Fuzz/): it links only with -sanitize=fuzzer.
        .library(name: "TesseraFuzzTargets", targets: ["TesseraFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The job API's HTTP server; no swift-configuration support (trait off).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CGMP", path: "Sources/CGMP", pkgConfig: "gmp",
                       providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CReference", linkerSettings: [.linkedLibrary("gmp")]),

        .target(name: "TesseraRandom", dependencies: ["CSodium"]),
        .target(name: "TesseraMath", dependencies: ["CGMP", "COpenSSL", "TesseraRandom"]),
        .target(name: "TesseraParallel"),
        .target(name: "TesseraCrypto", dependencies: ["TesseraMath", "TesseraRandom", "CSodium", "TesseraParallel"]),
        .target(name: "TesseraGroup", dependencies: ["CSodium", "TesseraRandom", "TesseraParallel"]),
        .target(name: "TesseraLattice", dependencies: ["CSodium", "TesseraRandom", "TesseraParallel"]),
        .target(name: "TesseraPrivacy", dependencies: ["TesseraRandom", "TesseraMath"]),
        .target(name: "TesseraAccountant"),
        .target(name: "TesseraData", dependencies: ["TesseraRandom", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "TesseraLearning", dependencies: ["TesseraRandom"]),
        .target(name: "TesseraReport"),
        .target(name: "TesseraJobs", dependencies: ["TesseraData", "TesseraLearning", "TesseraRandom"]),
        .target(name: "TesseraProtocol", dependencies: [
            "TesseraCrypto", "TesseraMath", "TesseraRandom", "TesseraAccountant", "TesseraPrivacy", "TesseraJobs", "CSodium",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .target(name: "TesseraSchemes", dependencies: [
            "TesseraProtocol", "TesseraCrypto", "TesseraMath", "TesseraGroup", "TesseraLattice", "TesseraParallel", "TesseraRandom",
        ]),
        .target(name: "TesseraKeys", dependencies: [
            "TesseraCrypto", "TesseraProtocol",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .target(name: "TesseraTransport", dependencies: [
            "TesseraProtocol", "TesseraKeys",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "TesseraState", dependencies: [
            "TesseraProtocol", "TesseraRandom",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "TesseraCoordinator", dependencies: [
            "TesseraProtocol", "TesseraSchemes", "TesseraParallel", "TesseraJobs", "TesseraData", "TesseraTransport", "TesseraState", "TesseraCrypto", "TesseraPrivacy",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TesseraParticipant", dependencies: [
            "TesseraProtocol", "TesseraSchemes", "TesseraParallel", "TesseraJobs", "TesseraData", "TesseraTransport", "TesseraState", "TesseraCrypto", "TesseraPrivacy",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TesseraNode", dependencies: [
            "TesseraKeys", "TesseraProtocol", "TesseraTransport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TesseraSimulation", dependencies: [
            "TesseraCoordinator", "TesseraParticipant", "TesseraNode", "TesseraState", "TesseraAudit", "TesseraKeys", "TesseraData",
            "TesseraJobs", "TesseraLearning", "TesseraPrivacy", "TesseraProtocol", "TesseraRandom", "TesseraReport", "TesseraTransport",
            "TesseraParallel", "TesseraSchemes", "TesseraService",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TesseraService", dependencies: [
            "TesseraCoordinator", "TesseraProtocol", "TesseraState", "TesseraTransport", "TesseraCrypto", "TesseraAudit", "TesseraReport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TesseraAudit", dependencies: ["TesseraProtocol", "TesseraSchemes", "TesseraParallel", "TesseraState", "TesseraKeys", "TesseraCrypto"]),
        .executableTarget(name: "tessera-coordinator", dependencies: [
            "TesseraCoordinator", "TesseraNode", "TesseraParallel", "TesseraSchemes", "TesseraService",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tessera-participant", dependencies: [
            "TesseraParticipant", "TesseraNode", "TesseraParallel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tessera", dependencies: [
            "TesseraCrypto", "TesseraPrivacy", "TesseraAccountant", "TesseraKeys", "TesseraData", "TesseraLearning", "TesseraReport", "TesseraJobs", "CReference",
            "TesseraCoordinator", "TesseraParticipant", "TesseraNode", "TesseraTransport", "TesseraState", "TesseraProtocol", "TesseraAudit", "TesseraSchemes",
            "TesseraGroup", "TesseraLattice", "TesseraParallel", "TesseraSimulation", "TesseraService",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TesseraMathTests", dependencies: ["TesseraMath", "TesseraRandom"]),
        .testTarget(name: "TesseraCryptoTests", dependencies: ["TesseraCrypto", "TesseraParallel"]),
        .testTarget(name: "TesseraGroupTests", dependencies: ["TesseraGroup", "TesseraRandom", "TesseraParallel"]),
        .testTarget(name: "TesseraLatticeTests", dependencies: ["TesseraLattice", "TesseraRandom", "TesseraParallel"]),
        .testTarget(name: "TesseraPrivacyTests", dependencies: ["TesseraPrivacy"]),
        .testTarget(name: "TesseraAccountantTests", dependencies: ["TesseraAccountant"]),
        .testTarget(name: "TesseraDataTests", dependencies: ["TesseraData", "TesseraPrivacy", "TesseraRandom"]),
        .testTarget(name: "TesseraLearningTests", dependencies: ["TesseraLearning", "TesseraRandom"]),
        .testTarget(name: "TesseraReportTests", dependencies: ["TesseraReport"]),
        .testTarget(name: "TesseraJobsTests", dependencies: ["TesseraJobs", "TesseraData", "TesseraLearning", "TesseraRandom"]),
        .testTarget(name: "TesseraStateTests", dependencies: ["TesseraState"]),
        .testTarget(name: "TesseraNetworkTests", dependencies: [
            "TesseraNode", "TesseraAudit", "TesseraTransport", "TesseraProtocol", "TesseraCrypto", "TesseraKeys", "TesseraState", "TesseraSchemes",
            "TesseraCoordinator", "TesseraService",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TesseraKeysTests", dependencies: [
            "TesseraKeys", "TesseraCrypto",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .testTarget(name: "TesseraSchemesTests", dependencies: ["TesseraSchemes", "TesseraParallel"]),
        .testTarget(name: "TesseraServiceTests", dependencies: ["TesseraService", "TesseraProtocol"]),
        .target(name: "TesseraFuzzTargets", dependencies: [
            "TesseraAudit", "TesseraCoordinator", "TesseraData", "TesseraGroup", "TesseraKeys", "TesseraParticipant", "TesseraProtocol",
            "TesseraService", "TesseraSimulation", "TesseraState", "TesseraTransport", "TesseraSchemes", "TesseraCrypto", "TesseraRandom",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
        ]),
        .testTarget(name: "TesseraFuzzTests", dependencies: ["TesseraFuzzTargets"]),
    ]
)
