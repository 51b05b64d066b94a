import Foundation
import Logging
import TesseraCoordinator
import TesseraNode
import TesseraParticipant
import TesseraState
import TesseraTransport

/// What every runner needs to run one job of a scenario.
struct RunContext: Sendable {
    let work: String
    let keys: String
    let brands: [String]
    let dataPaths: [String: String]
    let ordersPaths: [String: String]
    let policyPaths: [String: String]
    let faultsPath: String
    let seed: UInt64
    let roundTimeout: Double
    var coordinatorState: String { work + "/coordinator.sqlite" }
    func participantState(_ brand: String) -> String { work + "/\(brand).sqlite" }
}

/// How one job went, as seen from outside the nodes.
struct JobRun: Sendable {
    var seconds: Double
    /// The coordinator's metrics at the end of the job (Prometheus text).
    var metrics: String
    var refused: Bool
}

/// Runs one job of a scenario with a coordinator and the job's participants; state files
/// persist between jobs, so each job starts the nodes again as a restarted federation would.
protocol FederationRunner {
    func run(job: JobDefinition, context: RunContext) async throws -> JobRun
}

/// The real executables as separate processes over loopback mutual TLS.
public struct ProcessRunner: FederationRunner {
    let bin: URL

    func run(job: JobDefinition, context c: RunContext) async throws -> JobRun {
        let started = Date()
        let jobPath = c.work + "/job-\(job.id).json"
        try Self.encoder.encode(job).write(to: URL(fileURLWithPath: jobPath))
        let log = c.work + "/coordinator-\(job.id).log"
        let metricsPath = c.work + "/coordinator-\(job.id).metrics"
        let coordinator = try spawn("tessera-coordinator", ["serve", "--keys", c.keys, "--listen", "127.0.0.1:0",
            "--state", c.coordinatorState, "--job", jobPath, "--exit-after-job", "--decrypt-with-all-holders",
            "--round-timeout", "\(c.roundTimeout)", "--metrics-out", metricsPath, "--log-level", "notice"], log: log)
        let port = try await Self.announcedPort(log: log, process: coordinator)
        var participants: [Process] = []
        for brand in job.participants ?? c.brands {
            participants.append(try spawn("tessera-participant", ["run", "--keys", c.keys, "--id", brand,
                "--coordinator", "127.0.0.1:\(port)", "--data", c.dataPaths[brand]!, "--orders", c.ordersPaths[brand]!, "--state", c.participantState(brand),
                "--policy", c.policyPaths[brand]!, "--faults", c.faultsPath, "--exit-after-job",
                "--simulation-seed", "\(c.seed)", "--log-level", "notice"], log: c.work + "/\(brand)-\(job.id).log"))
        }
        while coordinator.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        // Participants leave once they have the last result; one that missed it (it refused,
        // or dropped) is stopped after a grace period.
        let grace = Date().addingTimeInterval(5)
        while participants.contains(where: \.isRunning), Date() < grace { try await Task.sleep(for: .milliseconds(50)) }
        for p in participants where p.isRunning { p.terminate() }
        for p in participants { p.waitUntilExit() }
        let status = coordinator.terminationStatus
        guard status == 0 || status == 3 else { throw ScenarioError("coordinator failed (exit \(status)); see \(log)") }
        return JobRun(seconds: Date().timeIntervalSince(started), metrics: (try? String(contentsOfFile: metricsPath, encoding: .utf8)) ?? "",
                      refused: status == 3)
    }

    func spawn(_ name: String, _ arguments: [String], log: String) throws -> Process {
        try Self.spawn(bin: bin, name, arguments, log: log)
    }

    /// Starts `bin/name` with its standard error to the file `log`, and its standard output
    /// to `stdout` (or to `log` too).
    public static func spawn(bin: URL, _ name: String, _ arguments: [String], log: String, stdout: String? = nil) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = bin.appendingPathComponent(name)
        p.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardError = handle
        if let stdout {
            FileManager.default.createFile(atPath: stdout, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        } else {
            p.standardOutput = handle
        }
        try p.run()
        return p
    }

    /// The port a starting node announces on a log line "PREFIX HOST:PORT"; fails, with the
    /// log's end, if the process exits first or announces nothing within `timeout` seconds.
    public static func announcedPort(_ prefix: String = "listening on ", log: String, process: Process, timeout: Double = 30) async throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }), let port = Int(line.split(separator: ":").last ?? "") {
                return port
            }
            if !process.isRunning { throw ScenarioError("\(process.executableURL?.lastPathComponent ?? "node") exited before \(prefix.debugDescription): \(text.suffix(800))") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ScenarioError("\(process.executableURL?.lastPathComponent ?? "node") announced no \(prefix.debugDescription) within \(Int(timeout)) s; see \(log)")
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// The same coordinator and participant code in this process (actors), still over loopback
/// mutual TLS: faster to start, one process to profile.
struct InProcessRunner: FederationRunner {
    func run(job: JobDefinition, context c: RunContext) async throws -> JobRun {
        let started = Date()
        var logger = Logger(label: "tessera.simulation") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let node = try NodeKeys.coordinator(directory: c.keys)
        let registry = Metrics()
        let coordinator = Coordinator(.init(federation: node.federation, signingKey: node.signingKey,
                                            store: try CoordinatorStore(path: c.coordinatorState), metrics: registry,
                                            logger: logger, roundTimeout: c.roundTimeout, waitForAllHolders: true))
        try await coordinator.start(job: job)
        let server = try await TransportServer.bind(host: "127.0.0.1", port: 0, tls: try node.tls.serverContext())
        let serving = Task { try await server.run { connection in await coordinator.serve(connection) } }
        var tasks: [Task<Void, Never>] = []
        for brand in job.participants ?? c.brands {
            let p = try NodeKeys.participant(directory: c.keys, id: brand)
            let participant = Participant(.init(
                id: brand, federation: p.federation, tls: try p.tls.clientContext(), signingKey: p.signingKey, share: p.paillierShare,
                store: try ParticipantStore(path: c.participantState(brand)), data: try VectorData.load(path: c.dataPaths[brand]!),
                policy: try LocalPolicy.load(path: c.policyPaths[brand]!), host: "127.0.0.1", port: server.localPort,
                logger: logger, exitAfterJob: true, seed: c.seed, faults: try Fault.load(path: c.faultsPath, participant: brand), orders: c.ordersPaths[brand],
                sealingKey: p.sealingKey))
            tasks.append(Task { await participant.run() })
        }
        await coordinator.waitUntilJobFinished()
        try? await Task.sleep(for: .milliseconds(300))  // let the result reach the participants
        await server.close()
        _ = try? await serving.value
        // Participants end once they have the last result; one that missed it (it refused, or
        // dropped) is cancelled after a grace period.
        let all = tasks
        let timer = Task {
            try? await Task.sleep(for: .seconds(5))
            for task in all { task.cancel() }
        }
        for task in tasks { await task.value }
        timer.cancel()
        return JobRun(seconds: Date().timeIntervalSince(started), metrics: registry.exposition(),
                      refused: try await coordinator.jobWasRefused())
    }
}
