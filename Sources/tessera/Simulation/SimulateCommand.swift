import ArgumentParser
import Foundation
import TesseraAudit
import TesseraCoordinator
import TesseraData
import TesseraKeys
import TesseraParticipant
import TesseraProtocol
import TesseraRandom
import TesseraState

/// `tessera simulate`: a whole federation run from a scenario and a seed. By default the real
/// coordinator and participant executables run as separate processes over loopback mTLS;
/// `--in-process` runs the same actors in this process. All randomness comes from the seed
/// (synthetic data; participants' noise, encryption and proofs); the coordinator transcribes
/// in canonical order and waits for every holder, so the same scenario and seed give the same
/// transcript root whatever the timing. Writes the transcript (with the public manifest, ready
/// for `tessera audit`), report.json and report.html into --out; prints the root last.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a scenario; write transcript and report; print the transcript root.")
    @Argument(help: "Scenario file (simulations/NAME.json).") var scenario: String
    @Option(help: "Seed of every random choice in the run.") var seed: UInt64 = 1
    @Option(help: "Output directory (replaced).") var out: String?
    @Flag(help: "Run coordinator and participants as actors in this process (same code, still mTLS over loopback).") var inProcess = false

    func run() async throws {
        let started = Date()
        let s = try Scenario.load(path: scenario)
        let dir = out ?? "out/\(s.name)-\(seed)"
        try? FileManager.default.removeItem(atPath: dir)
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        func progress(_ line: String) { FileHandle.standardError.write(Data("[\(String(format: "%6.1f", Date().timeIntervalSince(started))) s] \(line)\n".utf8)) }

        // Data: synthetic brands from the seed, and each brand's local inputs.
        let synth = SyntheticBrands(brands: s.brands.count, customersPerBrand: s.data.customersPerBrand, seed: seed)
        let files = try synth.write(to: work + "/data")
        var dataPaths: [String: String] = [:], policyPaths: [String: String] = [:], ordersPaths: [String: String] = [:]
        for (i, brand) in s.brands.enumerated() {
            ordersPaths[brand] = files[i].path
            let values: [Int64]
            if let n = s.data.vectorValues {
                var rng = ChaCha20DRBG(seed: Seed(seed).derive("simulation/vector/\(brand)"))
                values = (0..<n).map { _ in Int64(rng.uniform(below: 1000)) }
            } else {
                values = try CellProfile.vector(ordersAt: files[i].path).values
            }
            dataPaths[brand] = work + "/\(brand).vector"
            try values.map(String.init).joined(separator: "\n").write(toFile: dataPaths[brand]!, atomically: true, encoding: .utf8)
            policyPaths[brand] = work + "/\(brand).policy.json"
            try ProcessRunner.encoder.encode(s.policy(for: brand)).write(to: URL(fileURLWithPath: policyPaths[brand]!))
        }
        let faultsPath = work + "/faults.json"
        try ProcessRunner.encoder.encode(s.faults).write(to: URL(fileURLWithPath: faultsPath))
        progress("data: \(s.brands.count) brands, \(files.map(\.rows).reduce(0, +)) orders (seed \(seed))")

        let context = RunContext(work: work, keys: s.keys, brands: s.brands, dataPaths: dataPaths, ordersPaths: ordersPaths, policyPaths: policyPaths,
                                 faultsPath: faultsPath, seed: seed, roundTimeout: s.roundTimeout)
        let runner: FederationRunner = inProcess ? InProcessRunner() : ProcessRunner(bin: Self.binDirectory)
        progress("federation: \(s.brands.joined(separator: ", ")), keys \(s.keys), \(inProcess ? "in-process" : "separate processes"), loopback mTLS")
        for f in s.faults { progress("fault planned: \(f)") }
        var runs: [String: JobRun] = [:]
        for job in s.jobs {
            progress("job \(job.id) (\(job.kind), \(job.rounds ?? 1) round(s)) ...")
            let run = try await runner.run(job: job, context: context)
            runs[job.id] = run
            progress("job \(job.id) \(run.refused ? "REFUSED by too many participants" : "done") in \(String(format: "%.1f", run.seconds)) s")
        }

        // Transcript, manifest, audit: the audit runs on exactly what an auditor gets.
        let entries = try CoordinatorStore(path: context.coordinatorState).transcript()
        try TranscriptFile.write(entries, to: dir + "/transcript.jsonl")
        for name in ["manifest.json", "ca.pem", "paillier-dealing.json"] where FileManager.default.fileExists(atPath: s.keys + "/" + name) {
            try FileManager.default.copyItem(atPath: s.keys + "/" + name, toPath: dir + "/" + name)
        }
        let federation = try FederationKeys.load(directory: dir).federationInfo
        let audit = try await Auditor(federation: federation).audit(entries)
        let root = audit.root.map { String(format: "%02x", $0) }.joined()
        progress("transcript: \(audit.entries) entries, audit passed")

        let summary = try SimulationSummary.collect(scenario: s, seed: seed, context: context, runs: runs, entries: entries,
                                                    audit: audit, root: root, mode: inProcess ? "in-process" : "processes",
                                                    seconds: Date().timeIntervalSince(started))
        try summary.write(to: dir)
        for line in summary.highlights() { progress(line) }
        progress("report: \(dir)/report.html, \(dir)/report.json")
        print("transcript root: \(root)")
    }

    static var binDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
}

/// `tessera replay`: reruns a scenario and exits 0 only if its transcript root is the expected one.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rerun a scenario and compare its transcript root.")
    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "The expected transcript root (hex).") var expect: String
    @Flag(help: "Run in one process (same root).") var inProcess = false

    func run() async throws {
        let dir = NSTemporaryDirectory() + "tessera-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let simulate = try Simulate.parse([scenario, "--seed", "\(seed)", "--out", dir] + (inProcess ? ["--in-process"] : []))
        try await simulate.run()
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [String: Any]
        let root = (report?["metadata"] as? [String: Any])?["transcriptRoot"] as? String ?? ""
        guard root == expect.lowercased() else {
            print("replay differs: got \(root), expected \(expect)")
            throw ExitCode(1)
        }
        print("replay matches: \(root)")
    }
}
