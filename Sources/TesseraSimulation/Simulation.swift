import Foundation
import TesseraAudit
import TesseraData
import TesseraKeys
import TesseraParallel
import TesseraRandom
import TesseraState

/// A whole federation run from a scenario and a seed (simulations/README.md). By default the
/// real coordinator and participant executables run as separate processes over loopback mTLS;
/// in-process, the same actors run in one process (still over mTLS). All randomness comes
/// from the seed (synthetic data; participants' DKG dealings, noise, masks, encryption and
/// proofs); the coordinator transcribes in canonical order and waits for every holder, so the
/// same scenario and seed give the same transcript root whatever the timing.
public struct Simulation: Sendable {
    public enum Mode: Sendable { case processes(bin: URL), inProcess }

    public var scenario: Scenario
    public var seed: UInt64
    public var directory: String
    public var mode: Mode
    /// Every job under this scheme instead of its own ("one-shot" or "paillier").
    public var scheme: String?
    public var progress: @Sendable (String) -> Void

    public init(scenario: Scenario, seed: UInt64, directory: String, mode: Mode, scheme: String? = nil,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.scenario = scenario
        self.seed = seed
        self.directory = directory
        self.mode = mode
        self.scheme = scheme
        self.progress = progress
    }

    public struct Outcome: Sendable {
        public let root: String
        public let entries: Int
        public let directory: String
    }

    /// Runs the scenario; writes transcript.jsonl, masked/ (one-shot jobs), the public
    /// manifest and dealing, report.json, report.html and run.json into `directory`, and audits
    /// exactly what an auditor would receive.
    public func run() async throws -> Outcome {
        let started = Date()
        var s = scenario
        if let scheme { for i in s.jobs.indices { s.jobs[i].scheme = scheme } }
        let dir = directory
        try? FileManager.default.removeItem(atPath: dir)
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

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
        let runner: FederationRunner
        let modeName: String
        switch mode {
        case .processes(let bin): runner = ProcessRunner(bin: bin); modeName = "processes"
        case .inProcess: runner = InProcessRunner(); modeName = "in-process"
        }
        progress("federation: \(s.brands.joined(separator: ", ")), keys \(s.keys), \(modeName == "processes" ? "separate processes" : "in-process"), loopback mTLS")
        for f in s.faults { progress("fault planned: \(f)") }
        var runs: [String: JobRun] = [:]
        for job in s.jobs {
            progress("job \(job.id) (\(job.kind), \(job.scheme), \(job.rounds ?? 1) round(s)) ...")
            let run = try await runner.run(job: job, context: context)
            runs[job.id] = run
            progress("job \(job.id) \(run.refused ? "REFUSED by too many participants" : "done") in \(String(format: "%.1f", run.seconds)) s")
        }

        // Transcript, masked vectors, manifest: the audit runs on exactly what an auditor gets.
        let store = try CoordinatorStore(path: context.coordinatorState)
        let entries = try store.transcript()
        try TranscriptFile.write(entries, to: dir + "/transcript.jsonl")
        try MaskedVectorFiles.export(from: store, to: dir)
        for name in ["manifest.json", "ca.pem", "paillier-dealing.json"] where FileManager.default.fileExists(atPath: s.keys + "/" + name) {
            try FileManager.default.copyItem(atPath: s.keys + "/" + name, toPath: dir + "/" + name)
        }
        let federation = try FederationKeys.load(directory: dir).federationInfo
        let audit = try await Auditor(federation: federation, maskedVectors: MaskedVectorFiles.reader(dir)).audit(entries)
        let root = audit.root.map { String(format: "%02x", $0) }.joined()
        progress("transcript: \(audit.entries) entries, audit passed")

        let summary = try SimulationSummary.collect(scenario: s, seed: seed, context: context, runs: runs, entries: entries,
                                                    audit: audit, root: root, mode: modeName, seconds: Date().timeIntervalSince(started))
        try summary.write(to: dir)
        for line in summary.highlights() { progress(line) }
        progress("report: \(dir)/report.html, \(dir)/report.json")
        return Outcome(root: root, entries: audit.entries, directory: dir)
    }
}
