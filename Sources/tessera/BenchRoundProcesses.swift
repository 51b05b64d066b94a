import Foundation
import TesseraTransport
import TesseraCrypto
import TesseraKeys
import TesseraRandom
import TesseraSimulation

/// `tessera bench round` over processes: a fresh TEST federation (`KeyCeremony`, seeded, in a
/// temporary directory), the real `tessera-coordinator serve` with a vector-sum job file and
/// N `tessera-participant run` processes over loopback mutual TLS (binaries next to
/// `tessera`), `--threads` passed to every node. Figures come from the coordinator's metrics
/// (`--metrics-out`): `tessera_round_seconds` (round opened → result released), the phases,
/// `tessera_dkg_seconds` (one-shot: the key generation before the first job, once per epoch)
/// and the byte counters; the DKG's share of the bytes is read from the live metrics endpoint
/// when the DKG ends. The released sums (the coordinator's output) are checked against the
/// plaintext sums.
struct BenchRoundProcesses {
    let options: BenchRound

    func run() async throws -> [BenchReport] {
        let o = options
        let bin = Simulate.binDirectory
        for name in ["tessera-coordinator", "tessera-participant"] where !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(name).path) {
            throw BenchFailure("\(name) not found next to tessera in \(bin.path): build every product (swift build -c release)")
        }
        let dir = NSTemporaryDirectory() + "tessera-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer {
            if o.keep { log("kept \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) }
        }
        let start = Date()
        try KeyCeremony.run(.init(federation: "bench", participants: o.ids, threshold: o.threshold,
                                  committee: o.committee == nil ? nil : o.holders, bits: o.bits, seed: o.seed),
                            directory: dir + "/keys")
        let ceremony = Date().timeIntervalSince(start)
        log("key ceremony (\(o.participants) participants, \(o.bits)-bit Paillier dealing): \(String(format: "%.1f", ceremony)) s")

        // Each participant's vector, and the plaintext sums the round must release.
        var expected = [Int64](repeating: 0, count: o.values)
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        for id in o.ids {
            var rng = ChaCha20DRBG(seed: Seed(o.seed).derive("bench/round/updates/\(id)"))
            let bound = BenchRound.valueBound
            var text = ""
            text.reserveCapacity(o.values * 9)
            for i in 0..<o.values {
                let v = Int64(rng.uniform(below: UInt64(2 * bound + 1))) - bound
                expected[i] += v
                text += String(v)
                text += "\n"
            }
            try text.write(toFile: dir + "/data/\(id).vector", atomically: true, encoding: .utf8)
        }

        var reports: [BenchReport] = []
        for scheme in o.schemes {
            log("\(scheme): round of \(o.participants) processes × \(o.values) values over loopback mTLS ...")
            var report = try await round(scheme: scheme, dir: dir, expected: expected)
            report.setup.append(("key_ceremony_seconds", ceremony))
            reports.append(report)
            log("\(scheme): round \(String(format: "%.3f", report.roundSeconds)) s, sums \(report.exact ? "exact" : "WRONG")")
        }
        return reports
    }

    func round(scheme: String, dir: String, expected: [Int64]) async throws -> BenchReport {
        let o = options
        let work = dir + "/\(scheme)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let job: [String: Any] = ["id": "bench-\(scheme)", "kind": "vector-sum", "scheme": scheme, "vectorLength": o.values,
                                  "valueBound": BenchRound.valueBound, "minParticipants": o.participants]
        try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]).write(to: URL(fileURLWithPath: work + "/job.json"))
        let threads = o.threads.map { ["--threads", "\($0)"] } ?? []
        let metricsPort = try LoopbackPort.free()
        let cpuBefore = Self.childrenCPUSeconds()
        let started = Date()
        let coordinator = try spawn("tessera-coordinator", ["serve", "--keys", dir + "/keys", "--listen", "127.0.0.1:0",
            "--state", work + "/coordinator.sqlite", "--job", work + "/job.json", "--exit-after-job",
            "--round-timeout", "\(o.roundTimeout)", "--metrics-out", work + "/coordinator.metrics",
            "--metrics", "127.0.0.1:\(metricsPort)", "--log-level", "notice"] + threads,
            log: work + "/coordinator.log", stdout: work + "/coordinator.out")
        let port = try await ProcessRunner.announcedPort(log: work + "/coordinator.log", process: coordinator)
        var participants: [Process] = []
        for id in o.ids {
            participants.append(try spawn("tessera-participant", ["run", "--keys", dir + "/keys", "--id", id,
                "--coordinator", "127.0.0.1:\(port)", "--data", dir + "/data/\(id).vector", "--state", work + "/\(id).sqlite",
                "--exit-after-job", "--log-level", "notice"] + threads, log: work + "/\(id).log"))
        }
        // The DKG's bytes: the live counters when tessera_dkg_seconds appears (before any
        // submission can arrive: the job spec, the decisions and the round's opening come first).
        var atDKG: BenchMetrics?
        while coordinator.isRunning {
            if scheme == "one-shot", atDKG == nil, let text = BenchHTTP.get(port: metricsPort) {
                let m = BenchMetrics(text)
                if m.has("tessera_dkg_seconds") { atDKG = m }
            }
            try await Task.sleep(for: .milliseconds(atDKG == nil && scheme == "one-shot" ? 5 : 20))
        }
        let grace = Date().addingTimeInterval(10)
        while participants.contains(where: \.isRunning), Date() < grace { try await Task.sleep(for: .milliseconds(10)) }
        let stuck = participants.indices.filter { participants[$0].isRunning }
        for i in stuck { participants[i].terminate() }
        for p in participants { p.waitUntilExit() }
        let total = Date().timeIntervalSince(started)
        let cpu = Self.childrenCPUSeconds() - cpuBefore
        guard coordinator.terminationStatus == 0 else {
            throw BenchFailure("coordinator failed (exit \(coordinator.terminationStatus)); see \(work)/coordinator.log (run with --keep)")
        }
        if !stuck.isEmpty { log("participants \(stuck.map { o.ids[$0] }) had not exited 10 s after the coordinator and were stopped") }

        let metrics = BenchMetrics((try? String(contentsOfFile: work + "/coordinator.metrics", encoding: .utf8)) ?? "")
        let output = (try? FileBytes.read(work + "/coordinator.out")) ?? Data()
        let line = output.split(separator: UInt8(ascii: "\n")).last.map { Data($0) } ?? Data()
        guard let result = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let sums = (result["sums"] as? [NSNumber])?.map(\.int64Value) else {
            throw BenchFailure("the coordinator printed no result; see \(work)/coordinator.log (run with --keep)")
        }
        let phases = ["collect", "aggregate", "decrypt"].map { ($0, metrics.value("tessera_phase_seconds", ["phase": $0])) }
        let ids = o.ids
        func mean(_ name: String, _ m: BenchMetrics?) -> Double {
            guard let m else { return 0 }
            return ids.map { m.value(name, ["participant": $0]) }.reduce(0, +) / Double(ids.count)
        }
        var bytes = [("bytes_up_per_participant", mean("tessera_bytes_received_total", metrics)),
                     ("bytes_down_per_participant", mean("tessera_bytes_sent_total", metrics)),
                     ("submission_bytes_per_participant", mean("tessera_submission_bytes_total", metrics))]
        var setup: [(String, Double)] = []
        if scheme == "one-shot" {
            setup.append(("dkg_seconds", metrics.value("tessera_dkg_seconds")))
            if let atDKG {
                let up = mean("tessera_bytes_received_total", atDKG), down = mean("tessera_bytes_sent_total", atDKG)
                bytes += [("dkg_bytes_up_per_participant", up), ("dkg_bytes_down_per_participant", down),
                          ("job_bytes_up_per_participant", bytes[0].1 - up), ("job_bytes_down_per_participant", bytes[1].1 - down)]
            }
        }
        var report = BenchReport(scheme: scheme, mode: "processes", participants: o.participants, values: o.values, threads: o.threadCount,
                                 threshold: o.threshold, holders: o.holders.count, roundSeconds: metrics.value("tessera_round_seconds"),
                                 phases: phases, setup: setup, totalSeconds: total, bytes: bytes,
                                 exact: sums == expected, mismatch: BenchReport.mismatch(sums, expected))
        report.extra["cpu_seconds_all_processes"] = cpu
        report.notes.append(String(format: "CPU seconds of all the run's processes (user + system, every thread): %.2f", cpu))
        report.notes.append("byte counters are TLS payload bytes on each participant's connections (one-shot: the DKG's are counted too, split out above)")
        return report
    }

    /// User + system CPU time of every child process reaped so far.
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    func spawn(_ name: String, _ arguments: [String], log: String, stdout: String? = nil) throws -> Process {
        try ProcessRunner.spawn(bin: Simulate.binDirectory, name, arguments, log: log, stdout: stdout)
    }
}

/// A Prometheus text exposition, by series ("name{labels}" as `Metrics` renders them).
struct BenchMetrics {
    var series: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            series[String(line[..<space])] = value
        }
    }

    static func key(_ name: String, _ labels: [String: String]) -> String {
        labels.isEmpty ? name : name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    func has(_ name: String, _ labels: [String: String] = [:]) -> Bool { series[Self.key(name, labels)] != nil }
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double { series[Self.key(name, labels)] ?? 0 }
}

/// Loopback HTTP for the coordinator's metrics endpoint: a free port, and one GET.
enum BenchHTTP {

    /// The body of GET / on 127.0.0.1:port, or nil if nothing answers.
    static func get(port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = LoopbackPort.address(port)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[split.upperBound...])
    }
}
