import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraNode
import TesseraService
import TesseraSimulation
import TesseraTransport

/// `tessera bench soak`: many jobs back to back on one running coordinator, to show that
/// nothing grows that should not.
///
/// A fresh TEST federation of P participants with the standard principals; the real
/// `tessera-coordinator serve --api` and P `tessera-participant run` processes stay up for the
/// whole run (loopback mutual TLS). The analyst submits J vector-sum jobs through the job API
/// one after another (alternating one-shot and Paillier with `--scheme both`), waits for each
/// to be released and checks its sums against the plaintext sums. The coordinator's resident
/// memory, open files and state file size are sampled after every job; the figures compare the
/// end with the state after the warm-up jobs (the first 10%): growth per job of the files, and
/// of the memory its range and least-squares slope.
struct BenchSoak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak",
        abstract: "J jobs back to back on one coordinator with P participants: memory, open files and state size, end against start.")

    @Option(help: "Jobs to run.") var jobs = 200
    @Option(help: "Participants.") var participants = 5
    @Option(help: "Values per update.") var values = 100
    @Option(help: "one-shot, paillier, or both (alternating).") var scheme = "both"
    @Option(help: "Seed of the TEST federation's keys and of the updates.") var seed: UInt64 = 1
    @Flag(help: "Keep the temporary directory and print its path.") var keep = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard ["one-shot", "paillier", "both"].contains(scheme) else { throw ValidationError("--scheme must be one-shot, paillier or both, not \(scheme)") }
        guard jobs >= 2 else { throw ValidationError("--jobs must be at least 2") }
        guard participants >= 2 else { throw ValidationError("--participants must be at least 2") }
        guard values >= 1 else { throw ValidationError("--values must be at least 1") }
    }

    /// The least-squares slope of y against x.
    static func slope(x: [Double], y: [Double]) -> Double {
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var covariance = 0.0, variance = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - mx) * (b - my)
            variance += (a - mx) * (a - mx)
        }
        return variance > 0 ? covariance / variance : 0
    }

    struct Sample { var job: Int; var seconds: Double; var resident: Int; var peak: Int; var openFiles: Int; var stateBytes: Int; var participantStateBytes: Int }

    func run() async throws {
        let bin = Simulate.binDirectory
        let dir = NSTemporaryDirectory() + "tessera-bench-soak-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if keep { log("kept \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) } }
        let ids = (1...participants).map { String(format: "brand-%02d", $0) }
        try KeyCeremony.run(.init(federation: "soak", participants: ids, threshold: participants / 2 + 1, bits: 1024, seed: seed,
                                  principals: KeyCeremony.Principal.standard(participants: ids)), directory: dir + "/keys")
        var expected = [Int64](repeating: 0, count: values)
        for id in ids {
            let update = BenchLoad.update(seed: seed, id: id, values: values)
            for (i, v) in update.enumerated() { expected[i] += v }
            try (update.map(String.init).joined(separator: "\n") + "\n").write(toFile: dir + "/\(id).vector", atomically: true, encoding: .utf8)
        }
        // Enough budget for every job (these jobs add no noise and spend no ε; the ledger still records each).
        try Data(#"{"budget": {"epsilon": 1000000, "delta": 0.5}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/policy.json"))

        let coordinator = try ProcessRunner.spawn(bin: bin, "tessera-coordinator", ["serve", "--keys", dir + "/keys", "--listen", "127.0.0.1:0",
            "--api", "127.0.0.1:0", "--state", dir + "/coordinator.sqlite", "--log-level", "notice"], log: dir + "/coordinator.log")
        var nodes = [coordinator]
        defer { for p in nodes where p.isRunning { p.terminate() }; for p in nodes { p.waitUntilExit() } }
        let port = try await ProcessRunner.announcedPort(log: dir + "/coordinator.log", process: coordinator)
        let apiPort = try await ProcessRunner.announcedPort("api listening on ", log: dir + "/coordinator.log", process: coordinator)
        for id in ids {
            nodes.append(try ProcessRunner.spawn(bin: bin, "tessera-participant", ["run", "--keys", dir + "/keys", "--id", id,
                "--coordinator", "127.0.0.1:\(port)", "--data", dir + "/\(id).vector", "--state", dir + "/\(id).sqlite",
                "--policy", dir + "/policy.json", "--log-level", "warning"], log: dir + "/\(id).log"))
        }
        let analyst = try APIClient(host: "127.0.0.1", port: apiPort, tls: try NodeKeys.principal(directory: dir + "/keys", id: "analyst").tls)
        func fileBytes(_ path: String) -> Int {
            ["", "-wal", "-shm"].map { ((try? FileManager.default.attributesOfItem(atPath: path + $0))?[.size] as? NSNumber)?.intValue ?? 0 }.reduce(0, +)
        }
        func sample(_ job: Int, _ seconds: Double) throws -> Sample {
            guard let f = ProcessFigures.now(pid: "\(coordinator.processIdentifier)") else { throw BenchFailure("cannot read /proc for the coordinator") }
            return Sample(job: job, seconds: seconds, resident: f.residentBytes, peak: f.peakResidentBytes, openFiles: f.openFiles,
                          stateBytes: fileBytes(dir + "/coordinator.sqlite"), participantStateBytes: ids.map { fileBytes(dir + "/\($0).sqlite") }.reduce(0, +))
        }

        var samples = [try sample(0, 0)]
        let started = Date()
        for j in 1...jobs {
            let jobScheme = scheme == "both" ? (j % 2 == 1 ? "one-shot" : "paillier") : scheme
            let id = String(format: "soak-%04d", j)
            let body: [String: Any] = ["id": id, "kind": "vector-sum", "scheme": jobScheme, "vectorLength": values,
                                       "valueBound": BenchRound.valueBound, "minParticipants": participants, "readers": ["analyst"]]
            let jobStarted = Date()
            let created = try await analyst.post("/v1/jobs", json: try JSONSerialization.data(withJSONObject: body))
            guard created.status == 201 else { throw BenchFailure("job \(id): submission returned \(created.status): \(created.text)") }
            var status = ""
            while status != "done" {
                try await Task.sleep(for: .milliseconds(20))
                let reply = try await analyst.get("/v1/jobs/\(id)")
                status = ((try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any])?["status"] as? String ?? ""
                if ["refused", "failed", "cancelled"].contains(status) { throw BenchFailure("job \(id) ended \(status): \(reply.text)") }
                if Date().timeIntervalSince(jobStarted) > 300 { throw BenchFailure("job \(id) still \(status) after 300 s; see \(dir)") }
            }
            let result = try await analyst.get("/v1/jobs/\(id)/result")
            let rounds = ((try? JSONSerialization.jsonObject(with: result.body)) as? [String: Any])?["rounds"] as? [[String: Any]]
            guard let sums = (rounds?.first?["sums"] as? [NSNumber])?.map(\.int64Value), sums == expected else {
                throw BenchFailure("job \(id): the released sums differ from the plaintext sums (\(result.status))")
            }
            samples.append(try sample(j, Date().timeIntervalSince(jobStarted)))
            if j % 20 == 0 { log(String(format: "%d jobs, coordinator RSS %.1f MiB, state %.1f MB", j, Double(samples.last!.resident) / 1_048_576, Double(samples.last!.stateBytes) / 1e6)) }
        }
        let total = Date().timeIntervalSince(started)
        let warm = samples[max(1, jobs / 10)], end = samples.last!
        let span = Double(end.job - warm.job)
        func perJob(_ a: Int, _ b: Int) -> Double { Double(b - a) / span }
        // Memory after the warm-up: its range, and its least-squares slope per job (a leak is
        // a steady slope; a cache filling up is a step that flattens).
        let settled = samples[warm.job...]
        let residents: [Double] = settled.map { Double($0.resident) }
        let jobIndices: [Double] = settled.map { Double($0.job) }
        let slope = Self.slope(x: jobIndices, y: residents)
        let times = samples.dropFirst().map(\.seconds).sorted()
        let figures: [String: Any] = [
            "jobs": jobs, "participants": participants, "values": values, "scheme": scheme, "seconds": total,
            "job_seconds_p50": times[times.count / 2], "job_seconds_max": times.last!,
            "warm_after_jobs": warm.job,
            "coordinator_rss_bytes": ["start": samples[0].resident, "warm": warm.resident, "end": end.resident, "peak": end.peak,
                                      "min_after_warm": Int(residents.min()!), "max_after_warm": Int(residents.max()!),
                                      "slope_per_job_after_warm": slope],
            "coordinator_open_files": ["start": samples[0].openFiles, "warm": warm.openFiles, "end": end.openFiles],
            "coordinator_state_bytes": ["start": samples[0].stateBytes, "warm": warm.stateBytes, "end": end.stateBytes,
                                        "growth_per_job_after_warm": perJob(warm.stateBytes, end.stateBytes)],
            "participant_state_bytes_total": ["start": samples[0].participantStateBytes, "warm": warm.participantStateBytes, "end": end.participantStateBytes,
                                              "growth_per_job_after_warm": perJob(warm.participantStateBytes, end.participantStateBytes)],
        ]
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        } else {
            func mib(_ b: Int) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
            print("\(jobs) vector-sum jobs (\(scheme), \(values) values) back to back through the job API, \(participants) participants, one coordinator:")
            print(String(format: "  %.1f s in all; per job p50 %.2f s, slowest %.2f s; every result exact", total, times[times.count / 2], times.last!))
            print("  coordinator RSS: start \(mib(samples[0].resident)), after \(warm.job) jobs \(mib(warm.resident)), end \(mib(end.resident)) (peak \(mib(end.peak))); "
                  + "from job \(warm.job) on between \(mib(Int(residents.min()!))) and \(mib(Int(residents.max()!))), "
                  + String(format: "slope %+.2f KiB per job", slope / 1024))
            print("  coordinator open files: start \(samples[0].openFiles), after \(warm.job) jobs \(warm.openFiles), end \(end.openFiles)")
            print(String(format: "  coordinator state: %.2f MB after %d jobs, %.2f MB at the end: %.1f KB per job; participants' state %.1f KB per job (all %d)",
                         Double(warm.stateBytes) / 1e6, warm.job, Double(end.stateBytes) / 1e6, perJob(warm.stateBytes, end.stateBytes) / 1000,
                         perJob(warm.participantStateBytes, end.participantStateBytes) / 1000, participants))
        }
    }
}
