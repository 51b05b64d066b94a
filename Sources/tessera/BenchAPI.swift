import ArgumentParser
import Foundation
import TesseraCoordinator
import TesseraKeys
import TesseraNode
import TesseraProtocol
import TesseraService
import TesseraSimulation
import TesseraState

/// `tessera bench api`: the job API under load from this process against a real
/// `tessera-coordinator serve --api` (a separate process, loopback mutual TLS) whose store
/// holds `--jobs` released jobs. Each request opens its own TLS 1.3 connection with the
/// principal's certificate, as `tessera job` does. The reference, measured in the same run, is
/// `GET /v1/health` (a handshake and an empty answer); listing and result fetches are reported
/// as requests per second, p50 and p99, and as ratios to it. A result fetch also appends an
/// access record to the transcript (one SQLite transaction, synchronous=FULL).
struct BenchAPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api",
        abstract: "Job API throughput and latency (health as the reference, job listing, result fetches) with N jobs stored.")

    @Option(help: "Released jobs stored before the load starts.") var jobs = 1000
    @Option(help: "Requests per endpoint.") var requests = 400
    @Option(help: "Concurrent clients.") var concurrency = 4
    @Option(help: "Values per stored result.") var values = 70
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let dir = NSTemporaryDirectory() + "tessera-bench-api-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let brands = ["brand-a", "brand-b", "brand-c"]
        try KeyCeremony.run(.init(federation: "bench", participants: brands, threshold: 2, bits: 1024, seed: 5,
                                  principals: KeyCeremony.Principal.standard(participants: brands)), directory: dir + "/keys")
        let node = try NodeKeys.coordinator(directory: dir + "/keys")
        let store = try CoordinatorStore(path: dir + "/coordinator.sqlite")
        let outbox = Outbox(federation: node.federation.name, sender: FederationInfo.coordinatorID, key: node.signingKey, nextSequence: { 0 })
        let started = Date()
        for i in 0..<jobs {
            let id = String(format: "job-%05d", i)
            var definition = JobDefinition(id: id, scheme: "paillier", vectorLength: values, valueBound: 1_000_000)
            definition.readers = ["analyst"]
            let spec = try definition.spec(federation: node.federation)
            try store.insertJob(id: id, spec: try spec.serializedData(), specEnvelope: try outbox.seal(job: id, round: 0, .jobSpec(spec)))
            try store.recordResult(job: id, round: 1, sums: (0..<values).map { Int64($0 * 1000 + i) }, contributors: brands, transcript: [])
            try store.setJobStatus(id, "done")
        }
        log("stored \(jobs) released jobs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        let logPath = dir + "/coordinator.log"
        let p = try ProcessRunner.spawn(bin: Simulate.binDirectory, "tessera-coordinator", ["serve", "--keys", dir + "/keys", "--listen", "127.0.0.1:0",
            "--api", "127.0.0.1:0", "--state", dir + "/coordinator.sqlite", "--log-level", "error"], log: logPath)
        defer { p.terminate(); p.waitUntilExit() }
        let apiPort = try await ProcessRunner.announcedPort("api listening on ", log: logPath, process: p)
        let analyst = try APIClient(host: "127.0.0.1", port: apiPort, tls: try NodeKeys.principal(directory: dir + "/keys", id: "analyst").tls)

        // Warm up, and check the answers are what the store holds.
        let list = try await analyst.get("/v1/jobs")
        let listed = (try JSONSerialization.jsonObject(with: list.body) as? [String: Any])?["jobs"] as? [Any]
        guard list.status == 200, listed?.count == jobs else { throw BenchFailure("listing returned \(list.status) with \(listed?.count ?? 0) jobs") }
        let result = try await analyst.get("/v1/jobs/job-00000/result")
        guard result.status == 200 else { throw BenchFailure("result fetch returned \(result.status): \(result.text)") }

        var rows: [(name: String, path: String, bytes: Int, stats: Stats)] = []
        for (name, path) in [("health (reference)", "/v1/health"), ("list \(jobs) jobs", "/v1/jobs"), ("list a page of 100", "/v1/jobs?limit=100"),
                                  ("fetch a result", "/v1/jobs/job-%05d/result")] {
            let stats = try await load(analyst, path: path)
            let bytes = try await analyst.get(String(format: path, 0)).body.count
            rows.append((name, path, bytes, stats))
            log("\(name): \(String(format: "%.0f", stats.perSecond)) req/s, p99 \(String(format: "%.1f", stats.p99 * 1000)) ms")
        }
        let reference = rows[0].stats
        if json {
            let object: [String: Any] = ["jobs": jobs, "requests": requests, "concurrency": concurrency, "endpoints": rows.map { r in
                ["name": r.name, "path": r.path, "response_bytes": r.bytes, "requests_per_second": r.stats.perSecond, "p50_ms": r.stats.p50 * 1000,
                 "p99_ms": r.stats.p99 * 1000, "throughput_vs_health": r.stats.perSecond / reference.perSecond] as [String: Any]
            }]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        } else {
            print("job API over loopback mTLS, \(jobs) jobs stored, \(requests) requests per endpoint from \(concurrency) concurrent clients (new TLS connection each):")
            for r in rows {
                let name = r.name.count >= 20 ? r.name : r.name + String(repeating: " ", count: 20 - r.name.count)
                print("  " + name + String(format: " %7.0f req/s  p50 %6.1f ms  p99 %6.1f ms  %8d bytes  %5.2f× the reference's throughput",
                             r.stats.perSecond, r.stats.p50 * 1000, r.stats.p99 * 1000, r.bytes, r.stats.perSecond / reference.perSecond))
            }
        }
    }

    struct Stats { var perSecond: Double; var p50: Double; var p99: Double }

    /// `requests` GETs from `concurrency` clients; a path with %05d walks through the stored jobs.
    func load(_ client: APIClient, path: String) async throws -> Stats {
        let (requests, concurrency, jobs) = (self.requests, self.concurrency, self.jobs)
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var out: [Double] = []
                    var i = worker
                    while i < requests {
                        let t = clock.now
                        let reply = try await client.get(path.contains("%") ? String(format: path, i % max(1, jobs)) : path)
                        guard reply.status == 200 else { throw BenchFailure("\(path): HTTP \(reply.status) \(reply.text.prefix(200))") }
                        let d = clock.now - t
                        out.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
                        i += concurrency
                    }
                    return out
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        func quantile(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int(q * Double(latencies.count)))] }
        return Stats(perSecond: Double(latencies.count) / seconds, p50: quantile(0.5), p99: quantile(0.99))
    }
}
