import Foundation
import TesseraFuzzTargets

// libFuzzer's entry points: the driver is started with our own main (SwiftPM's executable
// target defines one), and calls back into LLVMFuzzerTestOneInput for every input. The target
// is named by TESSERA_FUZZ_TARGET, because libFuzzer takes every other argument for itself.
typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: TestOneInput) -> CInt

let name = ProcessInfo.processInfo.environment["TESSERA_FUZZ_TARGET"] ?? ""
guard let selected = FuzzTargets.named(name) else {
    FileHandle.standardError.write(Data("TESSERA_FUZZ_TARGET must be one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}
nonisolated(unsafe) let target = selected

// TESSERA_FUZZ_WRITE_SEEDS=DIR: write the target's generated seeds (FuzzSeeds) into DIR and stop.
if let directory = ProcessInfo.processInfo.environment["TESSERA_FUZZ_WRITE_SEEDS"] {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var failure: Error?
    Task.detached {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for seed in try await FuzzSeeds.seeds(for: name) {
                try seed.bytes.write(to: URL(fileURLWithPath: directory + "/" + seed.name))
                print("\(directory)/\(seed.name): \(seed.bytes.count) bytes")
            }
        } catch { failure = error }
        done.signal()
    }
    done.wait()
    if let failure { FileHandle.standardError.write(Data("seeds for \(name): \(failure)\n".utf8)); exit(1) }
    exit(0)
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
