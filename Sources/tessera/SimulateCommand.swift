import ArgumentParser
import Foundation
import TesseraAudit
import TesseraCoordinator
import TesseraData
import TesseraKeys
import TesseraParticipant
import TesseraState

/// A scenario file (simulations/*.json, documented in simulations/README.md).
struct Scenario: Codable {
    struct DataSpec: Codable { var customersPerBrand: Int }
    var name: String
    var description: String?
    var keys: String
    var brands: [String]
    var data: DataSpec
    var job: JobDefinition
    var policy: LocalPolicy?
}

/// `tessera simulate`: a whole federation run from a scenario and a seed, with the real
/// coordinator and participant executables as separate processes over loopback mTLS. All
/// randomness comes from the seed (synthetic data, participants' noise, encryption and
/// proofs); the coordinator transcribes in canonical order and waits for every holder, so the
/// same scenario and seed give the same transcript root. Writes the transcript (with the
/// public manifest, ready for `tessera audit`) and report.json into --out; prints the root last.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a scenario with separate processes; print the transcript root.")
    @Argument(help: "Scenario file (simulations/NAME.json).") var scenario: String
    @Option(help: "Seed of every random choice in the run.") var seed: UInt64 = 1
    @Option(help: "Output directory (replaced).") var out: String?

    func run() async throws {
        let started = Date()
        let s: Scenario
        do { s = try JSONDecoder().decode(Scenario.self, from: Data(contentsOf: URL(fileURLWithPath: scenario))) } catch {
            throw ValidationError("scenario \(scenario): \(error)")
        }
        let dir = out ?? "out/\(s.name)-\(seed)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        func progress(_ line: String) { FileHandle.standardError.write(Data("[\(String(format: "%5.1f", Date().timeIntervalSince(started))) s] \(line)\n".utf8)) }

        // Data: synthetic brands from the seed, each brand's local profile vector.
        let synth = SyntheticBrands(brands: s.brands.count, customersPerBrand: s.data.customersPerBrand, seed: seed)
        let files = try synth.write(to: dir + "/work/data")
        var vectors: [String] = []
        for (i, brand) in s.brands.enumerated() {
            let (values, _) = try CellProfile.vector(ordersAt: files[i].path)
            let path = dir + "/work/\(brand).vector"
            try values.map(String.init).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            vectors.append(path)
        }
        progress("data: \(s.brands.count) brands, \(files.map(\.rows).reduce(0, +)) orders (seed \(seed))")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(s.job).write(to: URL(fileURLWithPath: dir + "/work/job.json"))
        try encoder.encode(s.policy ?? LocalPolicy()).write(to: URL(fileURLWithPath: dir + "/work/policy.json"))

        let coordinatorLog = dir + "/work/coordinator.log"
        let coordinator = try spawn(bin.appendingPathComponent("tessera-coordinator"), ["serve", "--keys", s.keys, "--listen", "127.0.0.1:0",
            "--state", dir + "/work/coordinator.sqlite", "--job", dir + "/work/job.json", "--exit-after-job", "--decrypt-with-all-holders",
            "--round-timeout", "300", "--log-level", "notice"], log: coordinatorLog)
        var port: Int?
        for _ in 0..<300 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOfFile: coordinatorLog, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) { port = Int(line.split(separator: ":").last ?? "") }
            if !coordinator.isRunning { throw ValidationError("coordinator exited: \(text.suffix(500))") }
        }
        guard let port else { throw ValidationError("coordinator did not start") }
        progress("coordinator: 127.0.0.1:\(port), mutual TLS, keys \(s.keys)")
        var participants: [Process] = []
        for (i, brand) in s.brands.enumerated() {
            participants.append(try spawn(bin.appendingPathComponent("tessera-participant"), ["run", "--keys", s.keys, "--id", brand,
                "--coordinator", "127.0.0.1:\(port)", "--data", vectors[i], "--state", dir + "/work/\(brand).sqlite",
                "--policy", dir + "/work/policy.json", "--exit-after-job", "--simulation-seed", "\(seed)", "--log-level", "notice"],
                log: dir + "/work/\(brand).log"))
        }
        progress("participants: \(s.brands.joined(separator: ", ")) (seeded)")
        coordinator.waitUntilExit()
        for p in participants { p.waitUntilExit() }
        guard coordinator.terminationStatus == 0 else { throw ValidationError("coordinator failed; see \(coordinatorLog)") }
        progress("round(s) complete")

        // Transcript, manifest and report; the audit runs on exactly what an auditor gets.
        let entries = try CoordinatorStore(path: dir + "/work/coordinator.sqlite").transcript()
        try TranscriptFile.write(entries, to: dir + "/transcript.jsonl")
        for name in ["manifest.json", "ca.pem"] { try FileManager.default.copyItem(atPath: s.keys + "/" + name, toPath: dir + "/" + name) }
        let report = try Auditor(federation: try FederationKeys.load(directory: dir).federationInfo).audit(entries)
        let root = report.root.map { String(format: "%02x", $0) }.joined()
        let json: [String: Any] = [
            "scenario": s.name, "seed": seed, "transcript_root": root, "entries": report.entries, "rounds": report.rounds,
            "privacy_spent": report.spent, "seconds": Date().timeIntervalSince(started),
        ]
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: dir + "/report.json"))
        progress("transcript: \(report.entries) entries, audited; report: \(dir)/report.json")
        print("transcript root: \(root)")
    }

    func spawn(_ executable: URL, _ arguments: [String], log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardError = handle
        p.standardOutput = handle
        try p.run()
        return p
    }
}

/// `tessera replay`: reruns a scenario and exits 0 only if its transcript root is the expected one.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rerun a scenario and compare its transcript root.")
    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "The expected transcript root (hex).") var expect: String

    func run() async throws {
        let dir = NSTemporaryDirectory() + "tessera-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var simulate = try Simulate.parse([scenario, "--seed", "\(seed)", "--out", dir])
        try await simulate.run()
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as! [String: Any]
        let root = report["transcript_root"] as! String
        guard root == expect.lowercased() else {
            print("replay differs: got \(root), expected \(expect)")
            throw ExitCode(1)
        }
        print("replay matches: \(root)")
    }
}
