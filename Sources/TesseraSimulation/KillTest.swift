import Foundation
import TesseraTransport
import TesseraRandom
import TesseraNode
import TesseraService
import TesseraState

/// Crash tolerance measured from outside (issue 14): one job run many times with separate
/// coordinator and participant processes over loopback mTLS; in each run one node, chosen by
/// the seed, is killed with SIGKILL at a time the seed picks (anywhere from the DKG to the
/// release) and restarted at once on its state. Each run must end as the undisturbed run does,
/// with the same released sums, or fail with a named reason; no submission may be lost, no
/// ledger may spend twice or record a spend the coordinator never received, and every state
/// file must pass SQLite's integrity check.
///
/// With `viaAPI` the job is not a file: the coordinator serves the job API, and the analyst
/// submits the job over it (retrying, as a client would, until the coordinator answers it was
/// queued or already holds it), so kills also fall while the service handles the submission.
public struct KillTest: Sendable {
    public struct Outcome: Sendable, Codable {
        public var run: Int
        public var victim: String
        /// Seconds after the coordinator started that the kill fell.
        public var at: Double
        /// Where the job was then, by the coordinator's log: "DKG", "decisions", "collecting",
        /// "decrypting" or "released".
        public var phase: String
        public var killed: Bool
        /// "same result", or the named reason the run failed.
        public var result: String
        public var problems: [String]
        public var seconds: Double
        public var ok: Bool { problems.isEmpty }
    }

    public let bin: URL
    public let keys: String
    public let scheme: String
    public let work: String
    public let seed: UInt64
    public let viaAPI: Bool
    public let brands = ["brand-a", "brand-b", "brand-c"]
    static let job = "kill-test"
    static let length = 40

    public init(bin: URL, keys: String, scheme: String, work: String, seed: UInt64, viaAPI: Bool = false) {
        self.viaAPI = viaAPI
        self.bin = bin
        self.keys = keys
        self.scheme = scheme
        self.work = work
        self.seed = seed
    }

    /// The undisturbed run, then `runs` runs with one kill each.
    public func run(runs: Int, progress: (Outcome) -> Void) async throws -> (baseline: Double, outcomes: [Outcome]) {
        let started = Date()
        let baseline = try await once(dir: work + "/baseline", kill: nil)
        guard let expected = baseline.sums else {
            throw ScenarioError("the undisturbed run failed: \(baseline.outcome.result); see \(work)/baseline")
        }
        let duration = Date().timeIntervalSince(started)
        var rng = ChaCha20DRBG(seed: Seed(seed).derive("kill-test"))
        var outcomes: [Outcome] = []
        for i in 1...max(1, runs) {
            let victim = (["coordinator"] + brands)[Int(rng.uniform(below: 4))]
            let at = Double(rng.uniform(below: 1000)) / 1000 * 0.9
            var run = try await once(dir: work + "/run-\(i)", kill: (victim, at * duration), expected: expected)
            run.outcome.run = i
            outcomes.append(run.outcome)
            progress(run.outcome)
        }
        return (duration, outcomes)
    }

    struct Single {
        var outcome: Outcome
        var sums: [Int64]?
    }

    func once(dir: String, kill: (victim: String, after: Double)?, expected: [Int64]? = nil) async throws -> Single {
        let started = Date()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let jobPath = dir + "/job.json"
        var job: [String: Any] = ["id": Self.job, "kind": "vector-sum", "scheme": scheme, "vectorLength": Self.length, "valueBound": 1_000_000,
                                  "minParticipants": 3, "privacy": ["mechanism": "discrete-gaussian", "variance": "1000000", "l2Bound": 1000, "delta": 1e-6]]
        if viaAPI { job["readers"] = ["analyst"] }
        let jobData = try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys])
        try jobData.write(to: URL(fileURLWithPath: jobPath))
        for (b, brand) in brands.enumerated() {
            let values = (0..<Self.length).map { "\((($0 * 37 + b * 211) % 1001) - 500)" }.joined(separator: "\n")
            try values.write(toFile: dir + "/\(brand).txt", atomically: true, encoding: .utf8)
        }
        let port = try LoopbackPort.free(), apiPort = try LoopbackPort.free()
        let coordinatorArgs = ["serve", "--keys", keys, "--listen", "127.0.0.1:\(port)", "--state", dir + "/coordinator.sqlite",
                               "--exit-after-job", "--linger", "30", "--round-timeout", "30", "--log-level", "info"]
            + (viaAPI ? ["--api", "127.0.0.1:\(apiPort)"] : ["--job", jobPath])
        func participantArgs(_ brand: String) -> [String] {
            ["run", "--keys", keys, "--id", brand, "--coordinator", "127.0.0.1:\(port)", "--data", dir + "/\(brand).txt",
             "--state", dir + "/\(brand).sqlite", "--exit-after-job", "--simulation-seed", "\(seed)", "--log-level", "notice"]
        }
        var nodes: [String: Process] = [:]
        nodes["coordinator"] = try spawn("tessera-coordinator", coordinatorArgs, log: dir + "/coordinator.log")
        try await waitForListener(dir + "/coordinator.log")
        for brand in brands { nodes[brand] = try spawn("tessera-participant", participantArgs(brand), log: dir + "/\(brand).log") }
        let submitter = viaAPI ? Task { try await submit(jobData, port: apiPort) } : nil

        var killed = false, phase = ""
        if let kill {
            try await Task.sleep(for: .milliseconds(Int64(kill.after * 1000)))
            phase = Self.phase(of: (try? String(contentsOfFile: dir + "/coordinator.log", encoding: .utf8)) ?? "")
            if let p = nodes[kill.victim], p.isRunning {
                Glibc.kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                killed = true
                let restartLog = dir + "/\(kill.victim)-restarted.log"
                nodes[kill.victim] = kill.victim == "coordinator"
                    ? try spawn("tessera-coordinator", coordinatorArgs, log: restartLog)
                    : try spawn("tessera-participant", participantArgs(kill.victim), log: restartLog)
            }
        }
        if let submitter {
            do { try await submitter.value } catch {
                for p in nodes.values where p.isRunning { p.terminate(); p.waitUntilExit() }
                throw error
            }
        }
        // The coordinator exits once the job has ended; participants once they have the result.
        let deadline = Date().addingTimeInterval(120)
        while nodes["coordinator"]!.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        var problems: [String] = []
        let timedOut = nodes["coordinator"]!.isRunning
        let grace = Date().addingTimeInterval(10)
        while nodes.values.contains(where: \.isRunning), Date() < grace { try await Task.sleep(for: .milliseconds(50)) }
        for (name, p) in nodes where p.isRunning {
            // The coordinator waits (up to its linger) for every brand's receipt of the job's
            // end, so a brand killed before it had the result gets it after its restart. Only a
            // brand restarted after it had stored the result may still be waiting for the stopped
            // coordinator: it has done its part (its ledger is checked below).
            let stored = ((try? ParticipantStore(path: dir + "/\(name).sqlite").result(job: Self.job, round: 1)) ?? nil) != nil
            if !timedOut, name == "coordinator" || !stored { problems.append("\(name) still running 10 s after the coordinator stopped") }
            p.terminate()
            p.waitUntilExit()
        }
        let status = nodes["coordinator"]!.terminationStatus
        let store = try CoordinatorStore(path: dir + "/coordinator.sqlite")
        let released = try store.result(job: Self.job, round: 1)
        var result: String
        if timedOut {
            result = "timed out"
            problems.append("the job did not end within 120 s")
        } else if let released {
            result = expected == nil || released.sums == expected ? "same result" : "different result"
            if released.sums != expected, expected != nil { problems.append("released sums differ from the undisturbed run's") }
        } else {
            let log = (try? String(contentsOfFile: dir + "/coordinator.log", encoding: .utf8)) ?? ""
            let reason = log.split(separator: "\n").last { $0.contains("error") }.map(String.init) ?? "exit \(status), no reason logged"
            result = "failed: \(reason)"
        }
        // No submission lost, none spent twice, no spend the coordinator never received.
        let submitted = Set(try store.submissions(job: Self.job, round: 1).map(\.participant))
        for brand in brands {
            let ledger = try ParticipantStore(path: dir + "/\(brand).sqlite").ledger().filter { $0.job == Self.job }
            if ledger.count > 1 { problems.append("\(brand)'s ledger spends round 1 \(ledger.count) times") }
            if !ledger.isEmpty, !submitted.contains(brand) { problems.append("\(brand)'s ledger records a spend the coordinator never received") }
            if released != nil, released!.contributors.contains(brand), ledger.isEmpty { problems.append("\(brand) contributed but its ledger records nothing") }
        }
        if let released, Set(released.contributors) != submitted { problems.append("the released contributors differ from the stored submissions") }
        for file in ["coordinator"] + brands {
            let check = try StateDatabase.integrityCheck(path: dir + "/\(file).sqlite")
            if check != "ok" { problems.append("\(file).sqlite fails the integrity check: \(check)") }
        }
        let outcome = Outcome(run: 0, victim: kill?.victim ?? "none", at: kill.map { $0.after } ?? 0, phase: phase, killed: killed, result: result,
                              problems: problems, seconds: Date().timeIntervalSince(started))
        return Single(outcome: outcome, sums: released?.sums)
    }

    /// The analyst's submission of the job through the API: retried while the coordinator is
    /// down or restarting, done once it answers 201 (queued) or 409 (the id is already used: a
    /// submission before the kill was stored).
    func submit(_ job: Data, port: Int) async throws {
        let analyst = try NodeKeys.principal(directory: keys, id: "analyst")
        let deadline = Date().addingTimeInterval(60)
        var last = "no answer"
        while Date() < deadline {
            if let client = try? APIClient(host: "127.0.0.1", port: port, tls: analyst.tls),
               let reply = try? await client.post("/v1/jobs", json: job) {
                if reply.status == 201 || reply.status == 409 { return }
                last = "\(reply.status): \(reply.text)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ScenarioError("the job API did not take the job within 60 s (last answer \(last))")
    }

    /// The job's phase by the last milestone in the coordinator's log.
    static func phase(of log: String) -> String {
        for (milestone, phase) in [("round result released", "released"), ("aggregate computed", "decrypting"), ("round opened", "collecting"),
                                   ("DKG done", "decisions")] where log.contains(milestone) { return phase }
        // A job file's one-shot job waits for the federation key; an API job is queued first.
        return ["job queued", "job waits for the federation key", "DKG phase"].contains { log.contains($0) } ? "DKG" : "before the job"
    }

    func spawn(_ name: String, _ arguments: [String], log: String) throws -> Process {
        try ProcessRunner.spawn(bin: bin, name, arguments, log: log)
    }

    func waitForListener(_ log: String) async throws {
        for _ in 0..<600 {
            if ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening on ") { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ScenarioError("the coordinator did not start; see \(log)")
    }
}
