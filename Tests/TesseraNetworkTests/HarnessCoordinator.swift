import Foundation
import NIOCore
import TesseraCoordinator
import TesseraCrypto
import TesseraNode
import TesseraProtocol
import TesseraSchemes
import TesseraTransport

/// A coordinator that a test scripts message by message: a TLS server with the test
/// federation's coordinator keys (its certificate, so participants accept it; its signing key,
/// so they accept what it signs), speaking the real protocol to real `tessera-participant`
/// processes. It records every message they send (verified against the sender's key) and
/// sends whatever the test crafts: honest DKG relays and job messages, or the lies of a
/// malicious coordinator.
actor HarnessCoordinator {
    struct Received: Sendable {
        let from: String
        let body: Tessera_V1_Body
        let envelope: Data
    }

    let node: CoordinatorNode
    let server: TransportServer
    private var sequence: UInt64 = 0
    private var writers: [String: NIOAsyncChannelOutboundWriter<ByteBuffer>] = [:]
    private(set) var received: [Received] = []
    private var serving: Task<Void, Never>?

    nonisolated var federation: FederationInfo { node.federation }
    nonisolated var port: Int { server.localPort }

    private init(node: CoordinatorNode, server: TransportServer) {
        self.node = node
        self.server = server
    }

    static func start(keys: String) async throws -> HarnessCoordinator {
        let node = try NodeKeys.coordinator(directory: keys)
        let server = try await TransportServer.bind(host: "127.0.0.1", port: 0, tls: try node.tls.serverContext())
        let harness = HarnessCoordinator(node: node, server: server)
        await harness.serve()
        return harness
    }

    private func serve() {
        serving = Task { [server] in
            try? await server.run { connection in await self.handle(connection) }
        }
    }

    func stop() async {
        await server.close()
        await serving?.value
    }

    nonisolated func handle(_ connection: Connection) async {
        guard let peer = try? await connection.handshake.get(), let id = federation.participant(withFingerprint: peer.fingerprint)?.id else {
            try? await connection.channel.executeThenClose { _, _ in }
            return
        }
        try? await connection.channel.executeThenClose { inbound, outbound in
            await self.connected(id, outbound)
            for try await frame in inbound {
                guard case .message(let buffer) = frame else { return }
                await self.receive(Data(buffer.readableBytesView), from: id)
            }
        }
        await disconnected(id)
    }

    private func connected(_ id: String, _ writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) { writers[id] = writer }
    private func disconnected(_ id: String) { writers[id] = nil }

    private func receive(_ data: Data, from id: String) {
        guard let envelope = try? Tessera_V1_Envelope.parse(data),
              let body = try? SignedEnvelope.open(envelope, expectedSender: id, federation: federation) else { return }
        received.append(Received(from: id, body: body, envelope: data))
    }

    // MARK: - Sending

    /// A signed envelope from the coordinator with its next sequence (0 for hello and status).
    func seal(_ payload: Tessera_V1_Body.OneOf_Payload, job: String = "", round: Int = 0) throws -> (envelope: Data, sequence: UInt64) {
        var body = Tessera_V1_Body()
        body.federation = federation.name
        body.sender = FederationInfo.coordinatorID
        body.jobID = job
        body.round = UInt32(round)
        if Outbox.isSequenced(payload) {
            sequence += 1
            body.sequence = sequence
        }
        body.payload = payload
        return (try SignedEnvelope.seal(body, with: node.signingKey).serializedData(), body.sequence)
    }

    func sendRaw(_ data: Data, to id: String) async throws {
        guard let writer = writers[id] else { throw TestFailure("harness: \(id) is not connected") }
        try await writer.write(ByteBuffer(data: data))
    }

    /// Sends a payload; returns its sequence (what the participant's status acknowledges).
    @discardableResult
    func send(_ payload: Tessera_V1_Body.OneOf_Payload, to id: String, job: String = "", round: Int = 0) async throws -> UInt64 {
        let (envelope, sequence) = try seal(payload, job: job, round: round)
        try await sendRaw(envelope, to: id)
        return sequence
    }

    // MARK: - Waiting

    /// Polls the recorded messages until `probe` returns a value.
    func waitFor<T>(_ what: String, timeout: Double = 60, _ probe: ([Received]) throws -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try probe(received) { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        if let value = try probe(received) { return value }
        throw TestFailure("harness: timed out waiting for \(what); received \(received.map { "\($0.from): \($0.body.kind)" })")
    }

    func waitConnected(_ ids: [String], timeout: Double = 60) async throws {
        _ = try await waitFor("connections of \(ids)", timeout: timeout) { _ in Set(ids).isSubset(of: Set(writers.keys)) ? true : nil }
    }

    /// The latest message of each of `senders` that `select` accepts (waiting for all of them).
    func collect<T>(_ what: String, from senders: [String], timeout: Double = 60,
                    _ select: (Tessera_V1_Body) -> T?) async throws -> [String: (value: T, envelope: Data)] {
        try await waitFor("\(what) from \(senders)", timeout: timeout) { received in
            var out: [String: (T, Data)] = [:]
            for r in received where senders.contains(r.from) { if let v = select(r.body) { out[r.from] = (v, r.envelope) } }
            return out.count == senders.count ? out.mapValues { (value: $0.0, envelope: $0.1) } : nil
        }
    }

    /// The status `id` sent for our message of `sequence`.
    func status(from id: String, acking sequence: UInt64, timeout: Double = 60) async throws -> Tessera_V1_Status {
        try await waitFor("status of \(id) for message \(sequence)", timeout: timeout) { received in
            received.lazy.compactMap { r -> Tessera_V1_Status? in
                guard r.from == id, case .status(let s) = r.body.payload, s.ackedSequence == sequence else { return nil }
                return s
            }.first
        }
    }

    func messages(from id: String, where predicate: (Tessera_V1_Body) -> Bool) -> [Received] {
        received.filter { $0.from == id && predicate($0.body) }
    }

    // MARK: - An honest DKG, step by step

    var dkgParameters: DKGRules.Parameters { DKGRules.Parameters(federation) }

    /// Sends DkgStart to `recipients` (every holder among them deals).
    func startDKG(_ recipients: [String]) async throws {
        for id in recipients { try await send(.dkgStart(dkgParameters.start), to: id) }
    }

    /// A relay of `phase` carrying `envelopes` as their authors signed them.
    func relay(_ phase: String, _ envelopes: [Data]) -> Tessera_V1_Body.OneOf_Payload {
        .dkgRelay(.with {
            $0.epoch = Data(dkgParameters.epoch)
            $0.phase = phase
            $0.envelopes = envelopes
        })
    }

    func deals(timeout: Double = 60) async throws -> [String: Data] {
        try await collect("deals", from: dkgParameters.holders, timeout: timeout) { body -> Bool? in
            if case .dkgDeal = body.payload { return true }
            return nil
        }.mapValues(\.envelope)
    }

    /// Every phase after the deals, relayed honestly to `recipients`: complaints, the accused
    /// dealers' justifications, the qualified holders' confirmations. Returns the outcome.
    func finishDKG(deals: [String: Data], recipients: [String], timeout: Double = 60) async throws -> DKGRules.Outcome {
        let p = dkgParameters
        var messages = DKGRules.Messages()
        messages.deals = deals
        messages.complaints = try await collect("complaints", from: p.holders, timeout: timeout) { body -> [String]? in
            if case .dkgComplaints(let list) = body.payload { return list.complaints.map(\.dealer) }
            return nil
        }.mapValues(\.envelope)
        for id in recipients { try await send(relay("complaints", messages.complaints.sorted { $0.key < $1.key }.map(\.value)), to: id) }
        var accused = Set<String>()
        for envelope in messages.complaints.values {
            if case .dkgComplaints(let list) = try body(of: envelope).payload { accused.formUnion(list.complaints.map(\.dealer)) }
        }
        messages.justifications = try await collect("justifications", from: accused.sorted(), timeout: timeout) { body -> Bool? in
            if case .dkgJustification = body.payload { return true }
            return nil
        }.mapValues(\.envelope)
        for id in recipients { try await send(relay("justifications", messages.justifications.sorted { $0.key < $1.key }.map(\.value)), to: id) }
        let outcome = try DKGRules.outcome(messages, parameters: p)
        let confirmations = try await collect("confirmations", from: outcome.qualified, timeout: timeout) { body -> Bool? in
            if case .dkgConfirmation = body.payload { return true }
            return nil
        }
        for id in recipients { try await send(relay("confirmations", confirmations.sorted { $0.key < $1.key }.map(\.value.envelope)), to: id) }
        return outcome
    }

    /// A whole honest DKG among the holders, relayed to `recipients`.
    func runDKG(_ recipients: [String], timeout: Double = 60) async throws -> DKGRules.Outcome {
        try await waitConnected(recipients, timeout: timeout)
        try await startDKG(recipients)
        let deals = try await deals(timeout: timeout)
        for id in recipients { try await send(relay("deals", deals.sorted { $0.key < $1.key }.map(\.value)), to: id) }
        return try await finishDKG(deals: deals, recipients: recipients, timeout: timeout)
    }

    // MARK: - A job, honestly up to the submissions

    /// Sends the job's spec, waits for every participant to accept, opens round `round` and
    /// returns the submissions.
    func collectSubmissions(job: String, spec: Tessera_V1_JobSpec, participants: [String], round: Int = 1,
                            timeout: Double = 60) async throws -> [String: Tessera_V1_Submission] {
        for id in participants { try await send(.jobSpec(spec), to: id, job: job) }
        let decisions = try await collect("decisions on \(job)", from: participants, timeout: timeout) { body -> Tessera_V1_JobDecision? in
            if case .jobDecision(let d) = body.payload, body.jobID == job { return d }
            return nil
        }
        if let refusal = decisions.first(where: { !$0.value.value.accept }) {
            throw TestFailure("harness: \(refusal.key) refused \(job): \(refusal.value.value.reason)")
        }
        for id in participants { try await send(.roundOpen(.init()), to: id, job: job, round: round) }
        return try await collect("submissions to \(job)", from: participants, timeout: timeout) { body -> Tessera_V1_Submission? in
            if case .submission(let s) = body.payload, body.jobID == job, Int(body.round) == round { return s }
            return nil
        }.mapValues(\.value)
    }
}
