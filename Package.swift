// swift-tools-version:6.0
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .target(name: "TesseraCrypto", dependencies: ["TesseraMath", "TesseraRandom", "CSodium"]),
        .target(name: "TesseraPrivacy", dependencies: ["TesseraRandom", "TesseraMath"]),
        .executableTarget(name: "tessera", dependencies: [
            "TesseraCrypto", "TesseraPrivacy", "CReference",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TesseraMathTests", dependencies: ["TesseraMath", "TesseraRandom"]),
        .testTarget(name: "TesseraCryptoTests", dependencies: ["TesseraCrypto"]),
        .testTarget(name: "TesseraPrivacyTests", dependencies: ["TesseraPrivacy"]),
    ]
)
