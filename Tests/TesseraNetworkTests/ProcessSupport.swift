import Foundation

/// Runs a built executable of this package as a separate process, logging to a file.
final class NodeProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String
    let name: String

    static var binDirectory: URL {
        // The test runner lives next to the package's executables (.build/<triple>/debug).
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .pathComponents.contains("TesseraPackageTests.xctest")
            ? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            : URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    init(_ executable: String, _ arguments: [String], in directory: String, name: String, environment: [String: String] = [:]) throws {
        self.name = name
        logPath = directory + "/\(name).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let url = Self.binDirectory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw TestFailure("not built: \(url.path)") }
        process.executableURL = url
        process.arguments = arguments
        process.standardError = log
        process.standardOutput = log
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`; returns the log.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let out = output
            if out.contains(text) { return out }
            if !process.isRunning && !output.contains(text) {
                throw TestFailure("\(name) exited (\(process.terminationStatus)) before logging \(text.debugDescription):\n\(out.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // One last look: a test task starved past its deadline (CPU-bound tests beside it hold
        // the cooperative threads) must not fail for a line that was logged in time.
        if output.contains(text) { return output }
        throw TestFailure("\(name) did not log \(text.debugDescription) within \(timeout) s:\n\(output.suffix(3000))")
    }

    func waitForExit(timeout: Double = 120) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else { throw TestFailure("\(name) still running after \(timeout) s:\n\(output.suffix(3000))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process.terminationStatus
    }

    var isRunning: Bool { process.isRunning }
    func signal(_ sig: Int32) { if process.isRunning { kill(process.processIdentifier, sig) } }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

let testKeys = repositoryRoot + "/keys/test"

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "tessera-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The port a coordinator reports in its "listening on HOST:PORT" line.
func listeningPort(_ log: String) throws -> Int {
    guard let line = log.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
          let port = Int(line.split(separator: ":").last ?? "") else { throw TestFailure("no listening line in:\n\(log)") }
    return port
}

func writeJob(_ dir: String, id: String, length: Int, bound: Int64 = 1_000_000, participants: [String]? = nil,
              minParticipants: Int? = nil, rounds: Int = 1, privacy: [String: Any]? = nil, scheme: String = "paillier",
              file: String = "job.json") throws -> String {
    var job: [String: Any] = ["id": id, "kind": "vector-sum", "scheme": scheme, "vectorLength": length, "valueBound": bound, "rounds": rounds]
    if let privacy { job["privacy"] = privacy }
    if let participants { job["participants"] = participants }
    if let minParticipants { job["minParticipants"] = minParticipants }
    let path = dir + "/" + file
    try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: path))
    return path
}

func writeData(_ dir: String, name: String, values: [Int64]) throws -> String {
    let path = dir + "/\(name).txt"
    try values.map(String.init).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs Debian's openssl (a tool nobody here wrote) for certificates the federation CA did not make.
func openssl(_ args: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw TestFailure("openssl \(args.joined(separator: " ")) failed") }
}
