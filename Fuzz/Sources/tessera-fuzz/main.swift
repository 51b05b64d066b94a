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

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
