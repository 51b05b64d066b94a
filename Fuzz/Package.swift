// swift-tools-version:6.1
// The libFuzzer driver of Tessera's fuzz targets (Sources/TesseraFuzzTargets). A package of its
// own because it links only when built with -sanitize=fuzzer; scripts/fuzz builds and runs it.
import PackageDescription

let package = Package(
    name: "TesseraFuzz",
    dependencies: [.package(name: "tessera", path: "..")],
    targets: [
        .executableTarget(name: "tessera-fuzz", dependencies: [.product(name: "TesseraFuzzTargets", package: "tessera")]),
    ]
)
