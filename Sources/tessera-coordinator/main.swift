import ArgumentParser
import Foundation
import TesseraCoordinator
import TesseraNode
import TesseraParallel
import TesseraSchemes
import TesseraService
import TesseraState
import TesseraTransport

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tessera-coordinator",
        abstract: "The Tessera coordinator: schedules jobs, aggregates ciphertexts, combines verified partial decryptions.",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve participants over mutual TLS 1.3.")

    @Option(help: "Key directory written by `tessera keys init`.") var keys: String
    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).") var listen: String
    @Option(help: "SQLite state file (created if missing).") var state: String
    @Option(help: "Job file to run (JSON, see protocol/README.md §7).") var job: String?
    @Option(help: "Serve the job API (protocol/api.yaml; HTTP over mutual TLS, principals of the manifest) on HOST:PORT.") var api: String?
    @Option(help: "Serve Prometheus metrics on HOST:PORT.") var metrics: String?
    @Option(help: "Write the metrics (Prometheus text) to this file when the coordinator stops.") var metricsOut: String?
    @Option(help: "Seconds to wait for late submissions once the minimum has arrived.") var roundTimeout: Double = 60
    @Option(help: "Largest accepted frame in bytes.") var frameLimit: Int = TransportDefaults.frameLimit
    @Option(help: "Seconds from accepting a connection to its first complete frame (TLS handshake included).") var firstFrameTimeout: Double = 10
    @Option(help: "Seconds a frame, once begun, may take to arrive whole.") var frameStallTimeout: Double = 30
    @Option(help: "Connections open at once; more are closed when accepted.") var maxConnections = 1024
    @Option(help: "Connections open at once per participant identity.") var maxSessionsPerIdentity = 4
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Flag(help: "Exit once the job (the job file's, else the first submitted through the API) has released its last result (prints it as JSON).") var exitAfterJob = false
    @Option(help: "With --exit-after-job: seconds to wait, once the job has ended, for each participant that accepted it to confirm it has the end (its receipt) before exiting.") var linger: Double = 2
    @Flag(help: "Wait for every contributor's partial decryptions, not just t (reproducible transcripts for simulations).") var decryptWithAllHolders = false
    @Option(help: "Threads for checking, aggregating and combining (default: every core).") var threads: Int?
    @Option(help: "Jobs that run at once (more wait in the queue).") var concurrentJobs = 4
    @Option(help: "Key-layer bytes per part of a one-shot decryption request too large for one frame.") var decryptionRequestPartBytes = DecryptionRequestParts.partBytes
    @Option(help: "Bytes queued unread for one connection (or 64 messages) before its peer is deemed to have stopped reading and is disconnected.") var outgoingQueueBytes = Coordinator.Configuration.defaultOutgoingQueueBytes

    func run() async throws {
        ProcessFigures.raiseOpenFileLimit()
        let logger = NodeSupport.logger(label: "tessera.coordinator", level: logLevel)
        let node = try NodeKeys.coordinator(directory: keys)
        let store = try CoordinatorStore(path: state)
        let registry = Metrics()
        let coordinator = Coordinator(.init(federation: node.federation, signingKey: node.signingKey, store: store,
                                            metrics: registry, logger: logger, roundTimeout: roundTimeout,
                                            waitForAllHolders: decryptWithAllHolders, parallelism: threads.map(Parallelism.init(threads:)) ?? .all,
                                            concurrentJobs: concurrentJobs, maxSessionsPerIdentity: maxSessionsPerIdentity,
                                            decryptionRequestPartBytes: decryptionRequestPartBytes, outgoingQueueBytes: outgoingQueueBytes))
        let definition = try job.map { try JobDefinition.load(path: $0) }
        try await coordinator.start(job: definition)

        let (host, port) = try NodeSupport.parseHostPort(listen)
        let server = try await TransportServer.bind(host: host, port: port, tls: try node.tls.serverContext(), frameLimit: frameLimit,
                                                    limits: TransportLimits(firstFrame: firstFrameTimeout, stall: frameStallTimeout),
                                                    maxConnections: maxConnections)
        var metricsChannel: (any Sendable)?
        if let metrics {
            let (mh, mp) = try NodeSupport.parseHostPort(metrics)
            let channel = try await MetricsServer.start(host: mh, port: mp, metrics: registry)
            metricsChannel = channel
            logger.info("metrics", metadata: ["address": .string("\(mh):\(channel.localAddress?.port ?? mp)")])
        }
        _ = metricsChannel
        var apiTask: Task<Void, Error>?
        if let api {
            let (ah, ap) = try NodeSupport.parseHostPort(api)
            let service = APIServer(coordinator: coordinator, federation: node.federation, metrics: registry, logger: logger)
            let tls = node.tls
            apiTask = Task {
                try await service.run(host: ah, port: ap, tls: tls) { port in
                    FileHandle.standardError.write(Data("api listening on \(ah):\(port)\n".utf8))
                }
            }
        }
        FileHandle.standardError.write(Data("listening on \(host):\(server.localPort)\n".utf8))
        logger.info("coordinator ready", metadata: ["federation": .string(node.federation.name), "port": .stringConvertible(server.localPort)])
        let signals = NodeSupport.onTermination {
            logger.notice("termination requested; closing the listener")
            Task { await server.close() }
        }
        defer { _ = signals }
        if exitAfterJob {
            Task {
                await coordinator.waitUntilJobFinished()
                // A participant away when the job ended (a restart) is told the end when it
                // reconnects: wait a while for every receipt before closing.
                let missing = await coordinator.awaitReceipts(timeout: .milliseconds(Int64(max(0, linger) * 1000)))
                if !missing.isEmpty {
                    logger.notice("exiting without receipts for the job's end", metadata: ["participants": .string(missing.joined(separator: ",")),
                                                                                            "waited_seconds": .stringConvertible(linger)])
                }
                await server.close()
            }
        }
        try await server.run(onRefused: { remote in
            registry.increment("tessera_rejections_total", labels: ["reason": "connection_cap"])
            logger.warning("connection refused: too many open", metadata: ["remote": .string(remote), "limit": .stringConvertible(maxConnections)])
        }) { connection in await coordinator.serve(connection) }
        apiTask?.cancel()
        if let metricsOut { try registry.exposition().write(toFile: metricsOut, atomically: true, encoding: .utf8) }
        if exitAfterJob, let failure = await coordinator.dkgFailure() {
            logger.error("the federation's key generation failed; no one-shot job can run", metadata: ["reason": .string(failure)])
            throw ExitCode(4)
        }
        if exitAfterJob, let failure = try await coordinator.jobFailure() {
            logger.error("the job failed; no result", metadata: ["reason": .string(failure)])
            throw ExitCode(5)
        }
        if exitAfterJob, try await coordinator.jobWasRefused() {
            logger.error("the job was refused by too many participants; no result")
            throw ExitCode(3)
        }
        if exitAfterJob, let result = try await coordinator.currentResult() {
            let json = try JSONSerialization.data(withJSONObject: ["sums": result.sums, "contributors": result.contributors], options: [.sortedKeys])
            // One write(2), so that log lines on a shared stderr cannot land inside the JSON.
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        }
        logger.notice("coordinator stopped")
    }
}
