import ArgumentParser
import Foundation
import Logging
import TesseraCoordinator
import TesseraKeys
import TesseraNode
import TesseraParticipant
import TesseraRandom
import TesseraState
import TesseraTransport

/// `tessera bench round`: one real round (coordinator and N participants, the production
/// actors over loopback mutual TLS, SQLite state, a fresh 2048-bit key ceremony) with an
/// update of V values; reports wall time per phase and bytes on the wire per participant.
/// All nodes share this machine's cores, so phase times add up what separate machines would
/// run in parallel (encryption, partial decryption).
struct BenchRound: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "round",
        abstract: "Round time by phase and bytes per participant, over loopback mTLS.")

    @Option(help: "Number of participants.") var participants = 3
    @Option(help: "Values per update.") var values = 100_000
    @Option(help: "Modulus size.") var bits = 2048
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let dir = NSTemporaryDirectory() + "tessera-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ids = (1...participants).map { String(format: "brand-%02d", $0) }
        var t = Clock.now()
        var seedRNG = SystemRandom()  // a throwaway TEST federation (keys init needs a seed); t > n/2 (ThresholdRule)
        try KeyCeremony.run(.init(federation: "bench", participants: ids, threshold: participants / 2 + 1, bits: bits,
                                  seed: seedRNG.nextUInt64()), directory: dir + "/keys")
        let ceremony = Clock.now() - t
        log("key ceremony: \(String(format: "%.1f", ceremony)) s")

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let metrics = Metrics()
        let node = try NodeKeys.coordinator(directory: dir + "/keys")
        let coordinator = Coordinator(.init(federation: node.federation, signingKey: node.signingKey,
                                            store: try CoordinatorStore(path: dir + "/c.sqlite"), metrics: metrics, logger: logger, roundTimeout: 3600))
        let bound: Int64 = 1 << 20
        try await coordinator.start(job: JobDefinition(id: "bench", vectorLength: values, valueBound: bound))
        let server = try await TransportServer.bind(host: "127.0.0.1", port: 0, tls: try node.tls.serverContext())
        let serverTask = Task { try await server.run { await coordinator.serve($0) } }

        t = Clock.now()
        var tasks: [Task<Void, Never>] = []
        for id in ids {
            let p = try NodeKeys.participant(directory: dir + "/keys", id: id)
            var rng = SystemRandom()
            let data = VectorData(values: (0..<values).map { _ in Int64(rng.uniform(below: UInt64(2 * bound + 1))) - bound })
            let participant = Participant(.init(id: id, federation: p.federation, tls: try p.tls.clientContext(), signingKey: p.signingKey,
                                                share: p.paillierShare, store: try ParticipantStore(path: dir + "/\(id).sqlite"), data: data,
                                                policy: LocalPolicy(), host: "127.0.0.1", port: server.localPort, logger: logger, exitAfterJob: true,
                                                sealingKey: p.sealingKey))
            tasks.append(Task { await participant.run() })
        }
        await coordinator.waitUntilJobFinished()
        let total = Clock.now() - t
        for task in tasks { await task.value }
        await server.close()
        _ = await serverTask.result

        let phases = ["collect", "aggregate", "decrypt"].map { ($0, metrics.value("tessera_phase_seconds", labels: ["phase": $0])) }
        let received = ids.map { metrics.value("tessera_bytes_received_total", labels: ["participant": $0]) }
        let sent = ids.map { metrics.value("tessera_bytes_sent_total", labels: ["participant": $0]) }
        let report: [String: Any] = [
            "participants": participants, "values": values, "bits": bits, "threshold": (node.federation.thresholdKey?.threshold ?? 0),
            "round_seconds": total, "phase_seconds": Dictionary(uniqueKeysWithValues: phases),
            "bytes_from_participant_mean": received.reduce(0, +) / Double(participants),
            "bytes_to_participant_mean": sent.reduce(0, +) / Double(participants),
            "plaintext_bytes_per_update": values * 8,
        ]
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        print("round: \(participants) participants × \(values) values, \(bits)-bit key, threshold \((node.federation.thresholdKey?.threshold ?? 0))")
        print(String(format: "  total %.1f s (connect, job spec, encrypt and submit, aggregate, partial decryptions, combine)", total))
        for (name, secs) in phases { print(String(format: "  %-10@ %.1f s", name as NSString, secs)) }
        print(String(format: "  bytes per participant: %.0f up, %.0f down (plain update: %d)", received.reduce(0, +) / Double(participants),
                     sent.reduce(0, +) / Double(participants), values * 8))
    }
}

