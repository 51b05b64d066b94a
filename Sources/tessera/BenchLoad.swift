import ArgumentParser
import Foundation
import Logging
import TesseraCrypto
import TesseraKeys
import TesseraNode
import TesseraParallel
import TesseraParticipant
import TesseraRandom
import TesseraSimulation
import TesseraState
import TesseraTransport

/// `tessera bench load`: one one-shot vector-sum round at growing federation sizes (10, 100,
/// 1,000 by default), to show how round time, the coordinator's memory and the bytes grow.
///
/// For each size a fresh TEST federation of N enrolled participants is generated on the fly
/// (`KeyCeremony`, seeded, a temporary directory; the first C hold the key), the real
/// `tessera-coordinator serve` runs the job in its own process, and the N participants run
/// as virtual nodes spread over a few `tessera bench swarm` processes: each virtual node is a
/// full `Participant` with its own identity, certificate, mutual TLS session and SQLite state,
/// so the coordinator sees N real sessions. Figures come from the coordinator's metrics file
/// (`tessera_round_seconds`, phases, the DKG, bytes per participant, and its own peak RSS at
/// exit); the released sums are checked against the plaintext sums.
struct BenchLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load",
        abstract: "One-shot rounds of 10, 100 and 1,000 participants (virtual nodes, each its own mTLS session): time, coordinator RSS, bytes.")

    @Option(help: "Federation sizes, comma-separated.") var participants = "10,100,1000"
    @Option(help: "Values per update.") var values = 1000
    @Option(help: "Key holders (the first C participants; t = C/2 + 1).") var committee = 10
    @Option(help: "Processes the virtual participants are spread over.") var processes = 4
    @Option(help: "Seed of the TEST federations' keys and of the updates.") var seed: UInt64 = 1
    @Option(help: "Round timeout of the coordinator (seconds).") var roundTimeout: Double = 3600
    @Option(help: "Key-layer bytes per part of a split decryption request (the coordinator's default if not given).") var partBytes: Int?
    @Flag(help: "Keep the temporary directory (keys, state, logs, metrics) and print its path.") var keep = false
    @Flag(help: "Print JSON.") var json = false

    var sizes: [Int] { participants.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 2 }), sizes.count == participants.split(separator: ",").count else {
            throw ValidationError("--participants must be comma-separated sizes of at least 2, not \(participants)")
        }
        guard values >= 1 else { throw ValidationError("--values must be at least 1") }
        guard committee >= 1 else { throw ValidationError("--committee must be at least 1") }
        guard processes >= 1 else { throw ValidationError("--processes must be at least 1") }
    }

    static func ids(_ n: Int) -> [String] { (1...n).map { String(format: "brand-%04d", $0) } }

    /// A participant's update: uniform in [−bound, bound], from the seed and its id (the swarm
    /// and this command derive the same values).
    static func update(seed: UInt64, id: String, values: Int) -> [Int64] {
        var rng = ChaCha20DRBG(seed: Seed(seed).derive("bench/load/updates/\(id)"))
        return (0..<values).map { _ in Int64(rng.uniform(below: UInt64(2 * BenchRound.valueBound + 1))) - BenchRound.valueBound }
    }

    struct Row {
        var participants: Int
        var holders: Int
        var ceremonySeconds: Double
        var dkgSeconds: Double
        var roundSeconds: Double
        var phases: [(String, Double)]
        var wallSeconds: Double
        var coordinatorPeakBytes: Double
        var coordinatorOpenFiles: Double
        var swarmPeakBytes: Double
        var bytesUpPerParticipant: Double
        var bytesDownPerParticipant: Double
        var bytesDownPerHolder: Double
        var coordinatorBytesIn: Double
        var coordinatorBytesOut: Double
        var cpuSeconds: Double
        var coordinatorCPUSeconds: Double
        var decryptionRequestMessages: Double
        var exact: Bool

        var json: [String: Any] {
            ["participants": participants, "holders": holders, "key_ceremony_seconds": ceremonySeconds, "dkg_seconds": dkgSeconds,
             "round_seconds": roundSeconds, "phase_seconds": Dictionary(uniqueKeysWithValues: phases), "job_wall_seconds": wallSeconds,
             "coordinator_peak_rss_bytes": coordinatorPeakBytes, "coordinator_open_files_at_exit": coordinatorOpenFiles,
             "swarm_peak_rss_bytes_total": swarmPeakBytes, "bytes_up_per_participant": bytesUpPerParticipant,
             "bytes_down_per_participant": bytesDownPerParticipant, "bytes_down_per_holder": bytesDownPerHolder,
             "coordinator_bytes_in": coordinatorBytesIn, "coordinator_bytes_out": coordinatorBytesOut,
             "cpu_seconds_all_processes": cpuSeconds, "coordinator_cpu_seconds": coordinatorCPUSeconds,
             "decryption_request_messages": decryptionRequestMessages, "exact": exact]
        }
    }

    func run() async throws {
        let bin = Simulate.binDirectory
        for name in ["tessera-coordinator", "tessera"] where !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(name).path) {
            throw BenchFailure("\(name) not found in \(bin.path): build every product (swift build -c release)")
        }
        ProcessFigures.raiseOpenFileLimit()
        let dir = NSTemporaryDirectory() + "tessera-bench-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if keep { log("kept \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) } }
        var rows: [Row] = []
        for n in sizes {
            let row = try await round(n: n, dir: dir + "/\(n)")
            rows.append(row)
            log(String(format: "%d participants: round %.2f s, coordinator peak RSS %.0f MiB, %@", n, row.roundSeconds,
                       row.coordinatorPeakBytes / 1_048_576, row.exact ? "sums exact" : "sums WRONG"))
        }
        if json {
            let object: [String: Any] = ["scheme": "one-shot", "values": values, "committee": committee, "processes": processes,
                                         "rows": rows.map(\.json)]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        } else {
            print("one-shot vector-sum rounds of \(values) values, committee of \(committee), virtual participants in \(processes) processes, loopback mTLS:")
            print("  participants   round  collect aggregate decrypt    DKG  coord. peak RSS  up/participant  down/participant  down/holder  CPU: coord.   all")
            for r in rows {
                func phase(_ name: String) -> Double { r.phases.first { $0.0 == name }?.1 ?? 0 }
                print(String(format: "  %12d %6.2f s %6.2f s %6.2f s %6.2f s %5.2f s %11.0f MiB %12.1f KB %14.1f KB %9.2f MB %10.1f s %5.0f s",
                             r.participants, r.roundSeconds, phase("collect"), phase("aggregate"), phase("decrypt"), r.dkgSeconds,
                             r.coordinatorPeakBytes / 1_048_576, r.bytesUpPerParticipant / 1000, r.bytesDownPerParticipant / 1000,
                             r.bytesDownPerHolder / 1e6, r.coordinatorCPUSeconds, r.cpuSeconds))
            }
            if let first = rows.first, let last = rows.last, rows.count > 1 {
                print(String(format: "  growth %d → %d participants (×%.0f): round ×%.1f, coordinator CPU ×%.1f, peak RSS ×%.1f, bytes in ×%.1f",
                             first.participants, last.participants, Double(last.participants) / Double(first.participants),
                             last.roundSeconds / first.roundSeconds, last.coordinatorCPUSeconds / first.coordinatorCPUSeconds,
                             last.coordinatorPeakBytes / first.coordinatorPeakBytes, last.coordinatorBytesIn / first.coordinatorBytesIn))
            }
        }
        if let bad = rows.first(where: { !$0.exact }) {
            throw BenchFailure("\(bad.participants) participants: the released sums differ from the plaintext sums: the round is wrong")
        }
    }

    func round(n: Int, dir: String) async throws -> Row {
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let ids = Self.ids(n)
        let holders = Array(ids.prefix(min(committee, n)))
        let started = Date()
        // Paillier's dealing is not used by a one-shot round: the smallest modulus keeps the ceremony short.
        try KeyCeremony.run(.init(federation: "load-\(n)", participants: ids, threshold: holders.count / 2 + 1, committee: holders,
                                  bits: 1024, seed: seed), directory: dir + "/keys")
        let ceremony = Date().timeIntervalSince(started)
        log(String(format: "%d participants: key ceremony %.1f s", n, ceremony))
        var expected = [Int64](repeating: 0, count: values)
        for id in ids {
            for (i, v) in Self.update(seed: seed, id: id, values: values).enumerated() { expected[i] += v }
        }
        let job: [String: Any] = ["id": "load-\(n)", "kind": "vector-sum", "scheme": "one-shot", "vectorLength": values,
                                  "valueBound": BenchRound.valueBound, "minParticipants": n]
        try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/job.json"))

        let bin = Simulate.binDirectory
        let metricsPort = try LoopbackPort.free()
        let cpuBefore = BenchRoundProcesses.childrenCPUSeconds()
        let jobStarted = Date()
        let coordinator = try ProcessRunner.spawn(bin: bin, "tessera-coordinator", ["serve", "--keys", dir + "/keys", "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", dir + "/job.json", "--exit-after-job", "--round-timeout", "\(roundTimeout)",
            "--metrics-out", dir + "/coordinator.metrics", "--metrics", "127.0.0.1:\(metricsPort)", "--max-connections", "\(n + 64)",
            "--log-level", "notice"] + (partBytes.map { ["--decryption-request-part-bytes", "\($0)"] } ?? []), log: dir + "/coordinator.log")
        defer { if coordinator.isRunning { coordinator.terminate() } }
        let port = try await ProcessRunner.announcedPort(log: dir + "/coordinator.log", process: coordinator, timeout: 60)

        let groups = min(processes, n)
        var swarms: [Process] = []
        for g in 0..<groups {
            let slice = ids.enumerated().filter { $0.offset % groups == g }.map(\.element)
            swarms.append(try ProcessRunner.spawn(bin: bin, "tessera", ["bench", "swarm", "--keys", dir + "/keys", "--coordinator", "127.0.0.1:\(port)",
                "--ids", slice.joined(separator: ","), "--state", dir + "/state", "--values", "\(values)", "--seed", "\(seed)",
                "--report", dir + "/swarm-\(g).json"], log: dir + "/swarm-\(g).log"))
        }
        var atDKG: BenchMetrics?
        while coordinator.isRunning {
            if atDKG == nil, let text = BenchHTTP.get(port: metricsPort) {
                let m = BenchMetrics(text)
                if m.has("tessera_dkg_seconds") { atDKG = m }
            }
            if let dead = swarms.firstIndex(where: { !$0.isRunning && $0.terminationStatus != 0 }) {
                throw BenchFailure("swarm \(dead) failed (exit \(swarms[dead].terminationStatus)); see \(dir)/swarm-\(dead).log")
            }
            try await Task.sleep(for: .milliseconds(atDKG == nil ? 20 : 100))
        }
        let wall = Date().timeIntervalSince(jobStarted)
        let grace = Date().addingTimeInterval(30)
        while swarms.contains(where: \.isRunning), Date() < grace { try await Task.sleep(for: .milliseconds(20)) }
        for s in swarms where s.isRunning { s.terminate() }
        for s in swarms { s.waitUntilExit() }
        let cpu = BenchRoundProcesses.childrenCPUSeconds() - cpuBefore
        guard coordinator.terminationStatus == 0 else {
            throw BenchFailure("coordinator failed (exit \(coordinator.terminationStatus)); see \(dir)/coordinator.log (run with --keep)")
        }
        let text = (try? String(contentsOfFile: dir + "/coordinator.log", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let result = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let sums = (result["sums"] as? [NSNumber])?.map(\.int64Value) else {
            throw BenchFailure("the coordinator printed no result; see \(dir)/coordinator.log (run with --keep)")
        }
        let contributors = (result["contributors"] as? [String])?.count ?? 0
        let m = BenchMetrics((try? String(contentsOfFile: dir + "/coordinator.metrics", encoding: .utf8)) ?? "")
        // The job's bytes to or from `among`: the counters at the end less those at the DKG's end.
        func jobBytes(_ name: String, _ among: [String]) -> Double {
            among.map { m.value(name, ["participant": $0]) - (atDKG?.value(name, ["participant": $0]) ?? 0) }.reduce(0, +)
        }
        let bytesIn = jobBytes("tessera_bytes_received_total", ids), bytesOut = jobBytes("tessera_bytes_sent_total", ids)
        let nonHolders = Array(ids.dropFirst(holders.count))
        let swarmPeak = (0..<groups).compactMap { g -> Double? in
            guard let data = try? FileBytes.read(dir + "/swarm-\(g).json"),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return (object["peak_resident_bytes"] as? NSNumber)?.doubleValue
        }.reduce(0, +)
        return Row(participants: n, holders: holders.count, ceremonySeconds: ceremony, dkgSeconds: m.value("tessera_dkg_seconds"),
                   roundSeconds: m.value("tessera_round_seconds"),
                   phases: ["collect", "aggregate", "decrypt"].map { ($0, m.value("tessera_phase_seconds", ["phase": $0])) },
                   wallSeconds: wall, coordinatorPeakBytes: m.value("tessera_process_peak_resident_bytes"),
                   coordinatorOpenFiles: m.value("tessera_process_open_files"), swarmPeakBytes: swarmPeak,
                   bytesUpPerParticipant: bytesIn / Double(n),
                   bytesDownPerParticipant: nonHolders.isEmpty ? bytesOut / Double(n) : jobBytes("tessera_bytes_sent_total", nonHolders) / Double(nonHolders.count),
                   bytesDownPerHolder: jobBytes("tessera_bytes_sent_total", holders) / Double(holders.count), coordinatorBytesIn: bytesIn, coordinatorBytesOut: bytesOut,
                   cpuSeconds: cpu, coordinatorCPUSeconds: m.value("tessera_process_cpu_seconds"),
                   decryptionRequestMessages: m.value("tessera_decryption_request_parts_total"), exact: sums == expected && contributors == n)
    }
}

/// `tessera bench swarm` (used by `bench load`): many participants in one process, each a full
/// `Participant` with its own keys, mutual TLS session and SQLite state, running until the
/// job's result arrives; writes its peak RSS to `--report`.
struct BenchSwarm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swarm",
        abstract: "Virtual participants for `bench load` (one process, one session each).", shouldDisplay: false)

    @Option(help: "Key directory of the TEST federation.") var keys: String
    @Option(help: "Coordinator address, HOST:PORT.") var coordinator: String
    @Option(help: "Participant ids, comma-separated.") var ids: String
    @Option(help: "Directory of the participants' SQLite state files.") var state: String
    @Option(help: "Values per update.") var values: Int
    @Option(help: "Seed of the updates (as `bench load`).") var seed: UInt64
    @Option(help: "Write {peak_resident_bytes, seconds} here at the end.") var report: String

    func run() async throws {
        ProcessFigures.raiseOpenFileLimit()
        let started = Date()
        let (host, port) = try NodeSupport.parseHostPort(coordinator)
        var logger = Logger(label: "tessera.swarm") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        var participants: [Participant] = []
        let federation = try FederationKeys.load(directory: keys)
        for id in ids.split(separator: ",").map(String.init) {
            let node = try NodeKeys.participant(keys: federation, id: id)
            participants.append(Participant(.init(
                id: id, federation: node.federation, tls: try node.tls.clientContext(), signingKey: node.signingKey, share: node.paillierShare,
                store: try ParticipantStore(path: state + "/\(id).sqlite"),
                data: VectorData(values: BenchLoad.update(seed: seed, id: id, values: values)), policy: LocalPolicy(),
                host: host, port: port, logger: logger, exitAfterJob: true, parallelism: Parallelism(threads: 1), sealingKey: node.sealingKey)))
        }
        let loaded = Date().timeIntervalSince(started)
        await withTaskGroup(of: Void.self) { group in
            for participant in participants { group.addTask { await participant.run() } }
        }
        let figures = ProcessFigures.now()
        let object: [String: Any] = ["nodes": participants.count, "load_seconds": loaded, "seconds": Date().timeIntervalSince(started),
                                     "peak_resident_bytes": figures?.peakResidentBytes ?? 0]
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: report))
    }
}
