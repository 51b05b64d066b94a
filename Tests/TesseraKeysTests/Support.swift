import Foundation
import TesseraKeys

/// Ceremonies shared by read-only tests: 512-bit Paillier keys (fast), from fixed seeds so
/// failures reproduce. Tests that modify files copy a directory or run their own ceremony.
enum Fixtures {
    static let participants = ["brand-a", "brand-b", "brand-c"]

    static let main: String = try! ceremony(seed: 7001)
    static let other: String = try! ceremony(seed: 7002)

    static func ceremony(seed: UInt64?, federation: String = "unit", participants: [String] = participants,
                         threshold: Int = 2, now: Date = Date(), in directory: String? = nil) throws -> String {
        let dir = directory ?? temporaryDirectory()
        try KeyCeremony.run(.init(federation: federation, participants: participants, threshold: threshold,
                                  bits: 512, seed: seed, now: now), directory: dir)
        return dir
    }

    /// A fresh copy of `directory` that a test may tamper with.
    static func copy(_ directory: String) throws -> String {
        let dir = temporaryDirectory()
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.copyItem(atPath: directory, toPath: dir)
        return dir
    }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-keys-tests-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func mode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
}

func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// Runs /usr/bin/openssl; returns its exit status and combined output.
func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Node directories of a ceremony: the coordinator's and each participant's.
func nodeDirectories(_ dir: String, participants: [String] = Fixtures.participants) -> [(id: String, path: String)] {
    [("coordinator", dir + "/coordinator")] + participants.map { ($0, dir + "/participants/" + $0) }
}

/// The error a throwing call raised, described (for checking that it names a file).
func failure(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}
