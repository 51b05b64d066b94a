import Foundation
import NIOCore
import Testing
import TesseraAudit
import TesseraCrypto
import TesseraGroup
import TesseraKeys
import TesseraNode
import TesseraProtocol
import TesseraRandom
import TesseraSchemes
import TesseraState
import TesseraTransport

/// The DKG and one-shot tests: every test of them runs one at a time (they start up to 21
/// processes each on a 2-core machine), while the other suites run beside them.
@Suite(.serialized) struct OneShotNetworkTests {}

let testKeys5 = repositoryRoot + "/keys/test-5"
let testKeys20 = repositoryRoot + "/keys/test-20"

/// One federation's processes for a test: a coordinator and participants over loopback mTLS.
struct OneShotRun {
    let keys: String
    let dir: String
    var coordinatorState: String { dir + "/coordinator.sqlite" }
    func participantState(_ id: String) -> String { dir + "/\(id).sqlite" }

    init(keys: String) throws {
        self.keys = keys
        dir = try temporaryDirectory()
    }

    /// A coordinator serving `job` (none: resume from the state) on `port` (0: any).
    func coordinator(job: String?, port: Int = 0, timeout: Double, name: String = "coordinator", exitAfterJob: Bool = true,
                     environment: [String: String] = [:]) async throws -> (NodeProcess, Int) {
        var arguments = ["serve", "--keys", keys, "--listen", "127.0.0.1:\(port)", "--state", coordinatorState, "--round-timeout", "\(timeout)"]
        if let job { arguments += ["--job", job] }
        if exitAfterJob { arguments.append("--exit-after-job") }
        let process = try NodeProcess("tessera-coordinator", arguments, in: dir, name: name, environment: environment)
        return (process, try listeningPort(try await process.waitFor("listening on")))
    }

    func participant(_ id: String, port: Int, values: [Int64], faults: String? = nil, name: String? = nil,
                     environment: [String: String] = [:], exitAfterJob: Bool = true) throws -> NodeProcess {
        var arguments = ["run", "--keys", keys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                         "--data", try writeData(dir, name: id, values: values), "--state", participantState(id)]
        if let faults { arguments += ["--faults", faults] }
        if exitAfterJob { arguments.append("--exit-after-job") }
        return try NodeProcess("tessera-participant", arguments, in: dir, name: name ?? id, environment: environment)
    }

    /// A one-shot vector-sum job file.
    func job(_ id: String, length: Int, bound: Int64 = 1_000_000, participants: [String]? = nil, minParticipants: Int? = nil,
             rounds: Int = 1, file: String = "job.json") throws -> String {
        try writeJob(dir, id: id, length: length, bound: bound, participants: participants, minParticipants: minParticipants,
                     rounds: rounds, scheme: "one-shot", file: file)
    }

    /// A faults file (simulations/README.md §"Faults").
    func faults(_ list: [[String: Any]]) throws -> String {
        let path = dir + "/faults.json"
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Audits the coordinator's transcript as `tessera audit` does (masked vectors from its store).
    func audit() async throws -> Auditor.Report {
        let store = try CoordinatorStore(path: coordinatorState)
        let exported = dir + "/export"
        try MaskedVectorFiles.export(from: store, to: exported)
        return try await Auditor(federation: try FederationKeys.load(directory: keys).federationInfo,
                                 maskedVectors: MaskedVectorFiles.reader(exported)).audit(try store.transcript())
    }

    func federation() throws -> FederationInfo { try FederationKeys.load(directory: keys).federationInfo }
}

/// The result a coordinator run with --exit-after-job prints last.
func printedResult(_ coordinator: NodeProcess) throws -> (sums: [Int64], contributors: [String]) {
    guard let line = coordinator.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
        throw TestFailure("no result line in:\n\(coordinator.output.suffix(3000))")
    }
    let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    return ((result["sums"] as! [NSNumber]).map(\.int64Value), result["contributors"] as! [String])
}

func columnSums(_ vectors: [[Int64]]) -> [Int64] {
    vectors.dropFirst().reduce(vectors.first ?? []) { zip($0, $1).map { $0 + $1 } }
}

/// Whether one line of `log` contains every part (swift-log prints metadata, sorted by key, before the message).
func logHas(_ log: String, _ parts: String...) -> Bool {
    log.split(separator: "\n").contains { line in parts.allSatisfy { line.contains($0) } }
}

/// Occurrences of `text` in a log.
func occurrences(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

extension Tessera_V1_Body {
    var relay: Tessera_V1_DkgRelay? { if case .dkgRelay(let r) = payload { return r }; return nil }
    var isDKGStart: Bool { if case .dkgStart = payload { return true }; return false }
    var statusMessage: Tessera_V1_Status? { if case .status(let s) = payload { return s }; return nil }
}

/// BLAKE2b-256("tessera/one-shot/masked/v1" ‖ masked): what a key layer signs of its masked vector.
func maskedHash(_ masked: Data) -> Data {
    Data(Blake2b.hash(Array("tessera/one-shot/masked/v1".utf8) + [UInt8](masked), outputLength: 32))
}

/// The body of a serialized envelope (no signature check).
func body(of envelope: Data) throws -> Tessera_V1_Body {
    try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
}

/// A key layer's body re-signed by `key` after `change` (a participant altering its own, or a
/// colluder signing a copy under its name).
func resignedKeyLayer(_ envelope: Data, by key: SigningKey, sender: String? = nil,
                      _ change: (inout Tessera_V1_KeyLayerSubmission) throws -> Void) throws -> Data {
    var b = try body(of: envelope)
    guard case .keyLayer(var layer) = b.payload else { throw TestFailure("not a key layer") }
    try change(&layer)
    b.payload = .keyLayer(layer)
    if let sender { b.sender = sender }
    return try SignedEnvelope.seal(b, with: key).serializedData()
}

// MARK: - In-process participants that follow the DKG and build one-shot submissions

extension TestClient {
    /// A client with the keys of `id` in the federation directory `keys`.
    static func with<T>(_ id: String, keys: String, port: Int, _ body: (TestClient) async throws -> T) async throws -> T {
        let node = try NodeKeys.participant(directory: keys, id: id)
        let connection = try await TransportClient.connect(host: "127.0.0.1", port: port, serverName: "localhost", tls: try node.tls.clientContext())
        return try await connection.channel.executeThenClose { inbound, outbound in
            let client = TestClient(node: node, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await client.send(.hello(.with { $0.protocolVersion = 1 }))
            return try await body(client)
        }
    }

    var dkgParameters: DKGRules.Parameters { DKGRules.Parameters(node.federation) }

    /// The next relay of `phase`.
    func relay(_ phase: String, timeout: Double = 120) async throws -> Tessera_V1_DkgRelay {
        try await next(timeout: timeout) { $0.relay?.phase == phase }.relay!
    }

    /// The DKG's outcome as any participant computes it from the relayed deals, complaints
    /// and justifications (all public), waiting for those relays.
    /// `deals`: the deals relay, if the caller has already taken it.
    func followDKG(deals: Tessera_V1_DkgRelay? = nil, timeout: Double = 120) async throws -> DKGRules.Outcome {
        var messages = DKGRules.Messages()
        let phases: [(String, WritableKeyPath<DKGRules.Messages, [String: Data]>)] =
            [("deals", \.deals), ("complaints", \.complaints), ("justifications", \.justifications)]
        for (phase, keyPath) in phases {
            let relay = phase == "deals" && deals != nil ? deals! : try await relay(phase, timeout: timeout)
            for envelope in relay.envelopes {
                messages[keyPath: keyPath][try body(of: envelope).sender] = envelope
            }
        }
        return try DKGRules.outcome(messages, parameters: dkgParameters)
    }

    /// An honest deal of this holder (fresh polynomials from `seed`).
    func deal(seed: UInt64 = 5) throws -> Tessera_V1_DkgDeal {
        let p = dkgParameters
        var rng = ChaCha20DRBG(seed: Seed(seed))
        let dealing = try Dealing.create(threshold: p.threshold, holders: p.holders.count, keys: p.keys, using: &rng)
        return try DKGRules.deal(dealing, dealer: node.id, parameters: p, federation: node.federation, sealingKey: node.sealingKey,
                                 randomness: .seeded(Seed(seed + 1)))
    }

    /// The status answering our message of `sequence`, skipping acknowledgements of others.
    func statusAcking(_ sequence: UInt64, timeout: Double = 60) async throws -> Tessera_V1_Status {
        try await next(timeout: timeout) { $0.statusMessage.map { $0.ackedSequence == sequence } ?? false }.statusMessage!
    }

    /// Sends a payload and returns the coordinator's status for it.
    func exchange(_ payload: Tessera_V1_Body.OneOf_Payload, job: String = "", round: Int = 0) async throws -> Tessera_V1_Status {
        try await send(payload, job: job, round: round)
        return try await statusAcking(sequence)
    }

    /// An honest one-shot submission of `values` for (job, round) of `spec`, as the scheme builds it.
    func oneShotSubmission(_ values: [Int64], spec: Tessera_V1_JobSpec, key: FederationKey, job: String, round: Int,
                           seed: UInt64 = 11) async throws -> Tessera_V1_Submission {
        let signer = Outbox(federation: node.federation.name, sender: node.id, key: node.signingKey, nextSequence: { 0 })
        let context = RoundContext(federation: node.federation, job: job, round: round, spec: spec, parallelism: .serial)
        return try await OneShotScheme(key: key).submit(values, context: context, signer: signer, randomness: .seeded(Seed(seed)))
    }
}
