import Foundation
import Logging
import NIOCore
import TesseraCrypto
import TesseraParallel
import TesseraProtocol
import TesseraSchemes
import TesseraState
import TesseraTransport

/// The coordinator of one federation (protocol/README.md §4): authenticates participants by
/// certificate against the manifest, runs the job's rounds, stores every accepted message
/// before acknowledging it, aggregates homomorphically through the job's scheme and combines
/// verified partial decryptions. It holds no key share of either scheme.
public actor Coordinator {
    public struct Configuration: Sendable {
        public var federation: FederationInfo
        public var signingKey: SigningKey
        public var store: CoordinatorStore
        public var metrics: Metrics
        public var logger: Logger
        public var roundTimeout: Double
        /// Wait for every requested holder's partial decryptions (until the round timeout)
        /// instead of the first t to answer: the transcript then does not depend on timing
        /// (simulations).
        public var waitForAllHolders: Bool
        /// Threads for the coordinator's cryptography (checks, aggregation, combination).
        public var parallelism: Parallelism
        /// Jobs that run at once; more wait in the queue. Participants serve them interleaved
        /// over their one session, each job's messages keyed by its id.
        public var concurrentJobs: Int
        /// Connections one participant identity may hold open at once (a reconnect replaces
        /// the old session; more than this at once is abuse or a bug, refused by name).
        public var maxSessionsPerIdentity: Int
        /// Key-layer bytes per part of a decryption request that does not fit in one frame
        /// (`DecryptionRequestParts`).
        public var decryptionRequestPartBytes: Int
        /// Bytes queued unread for one connection beyond which its peer is deemed to have stopped
        /// reading (as are `outgoingLimit` messages): the connection is closed.
        public var outgoingQueueBytes: Int
        /// 256 MiB: far above what an honest peer has unread (a streamed decryption request keeps
        /// about two 8 MiB parts queued per job; every other message is small), far below what 64
        /// messages of up to 16 MiB could hold.
        public static let defaultOutgoingQueueBytes = 256 << 20

        public init(federation: FederationInfo, signingKey: SigningKey, store: CoordinatorStore, metrics: Metrics,
                    logger: Logger, roundTimeout: Double = 60, waitForAllHolders: Bool = false, parallelism: Parallelism = .all,
                    concurrentJobs: Int = 1, maxSessionsPerIdentity: Int = 4,
                    decryptionRequestPartBytes: Int = DecryptionRequestParts.partBytes, outgoingQueueBytes: Int = defaultOutgoingQueueBytes) {
            self.federation = federation
            self.signingKey = signingKey
            self.store = store
            self.metrics = metrics
            self.logger = logger
            self.roundTimeout = roundTimeout
            self.waitForAllHolders = waitForAllHolders
            self.parallelism = parallelism
            self.concurrentJobs = max(1, concurrentJobs)
            self.maxSessionsPerIdentity = max(1, maxSessionsPerIdentity)
            self.decryptionRequestPartBytes = max(1, decryptionRequestPartBytes)
            self.outgoingQueueBytes = max(1, outgoingQueueBytes)
        }
    }

    enum Phase: String { case collecting = "open", decrypting, done }

    struct ActiveJob {
        let id: String
        /// Registration order: jobs step in this order.
        let order: Int
        let spec: Tessera_V1_JobSpec
        let scheme: Scheme
        var round: Int
        var phase: Phase
        /// The round's aggregate while it is being decrypted.
        var pending: PendingAggregate?
        var verified: [String: VerifiedAnswer] = [:]  // holder → its verified answer
        /// Holders asked for partial decryptions: the first t holders (by id) among the
        /// contributors, then among those who accepted; widened to every such holder if they
        /// have not all answered by the round timeout.
        var requested: Set<String> = []
        /// Participants presumed gone for the rest of the job, not waited for again: those that
        /// contributed nothing to a released round, and holders that were asked and did not
        /// answer by a timeout. Persisted as they are found, so a restart keeps them.
        var unresponsive: Set<String> = []
        var finished = false
        var phaseStarted = Date()
        /// When the round opened (asking for updates), for its duration.
        var roundStarted = Date()

        var contributors: [String] { pending?.contributors ?? [] }

        func context(_ federation: FederationInfo, _ parallelism: Parallelism) -> RoundContext {
            RoundContext(federation: federation, job: id, round: round, spec: spec, parallelism: parallelism)
        }
    }

    typealias Writer = NIOAsyncChannelOutboundWriter<ByteBuffer>

    let config: Configuration
    let outbox: Outbox
    /// Signs the coordinator's transcript records; they are never sent, so they carry sequence 0.
    let records: Outbox
    /// Each connected participant's link (the connection that said hello last).
    var sessions: [String: Link] = [:]
    /// Open connections per participant identity, authenticated or not yet said hello.
    var connections: [String: Int] = [:]
    /// Messages queued for one session beyond which its peer is deemed to have stopped reading.
    static let outgoingLimit = 64
    /// The jobs running now, by id; a job leaves once it has ended (its state is in the store).
    var jobs: [String: ActiveJob] = [:]
    var registrations = 0
    /// The decryption request being streamed to each holder, by "holder/job": a later request to
    /// the same holder for the same job (after a reconnect, or a widened request) supersedes it.
    var requestStreams: [String: UUID] = [:]
    /// The job started by `start(job:)` (a job file, a simulation): what `waitUntilJobFinished`
    /// and the result accessors are about.
    var primaryJob: String?
    /// The federation's key generation of this epoch, once a one-shot job needs it.
    var dkg: DKGRun?
    var jobFinishedWaiters: [CheckedContinuation<Void, Never>] = []
    /// Jobs a brand's policy holds for its steward: job → brand → the brand's deadline (unix
    /// seconds). Kept in the store with the brand's signed hold (reloaded on restart).
    var holds: [String: [String: Double]] = [:]
    /// The state machine runs one step at a time: a step that awaits cryptography holds this,
    /// and a request to advance meanwhile is remembered and run after it.
    var advancing = false
    var advanceAgain = false
    nonisolated var log: Logger { config.logger }
    nonisolated var federation: FederationInfo { config.federation }

    public init(_ config: Configuration) {
        self.config = config
        let store = config.store
        outbox = Outbox(federation: config.federation.name, sender: FederationInfo.coordinatorID, key: config.signingKey,
                        nextSequence: { try store.nextOwnSequence() })
        records = Outbox(federation: config.federation.name, sender: FederationInfo.coordinatorID, key: config.signingKey,
                         nextSequence: { 0 })
    }

    // MARK: - Connections

    /// Serves one connection until it closes. Never throws: every failure is logged, counted
    /// and, where the peer can be told, answered with a Status naming the reason.
    public nonisolated func serve(_ connection: Connection) async {
        let metrics = config.metrics
        let peer: PeerCertificate
        do {
            guard let certificate = try await connection.handshake.get() else {
                await reject(connection, reason: "tls_no_certificate", "client presented no certificate")
                return
            }
            peer = certificate
        } catch let timeout as FrameTimeout {
            await reject(connection, reason: timeout.reason, "connection from \(connection.remoteAddress): \(timeout)")
            return
        } catch {
            await reject(connection, reason: "tls_handshake", "TLS handshake from \(connection.remoteAddress) failed: \(error)")
            return
        }
        guard let participant = federation.participant(withFingerprint: peer.fingerprint) else {
            metrics.increment("tessera_rejections_total", labels: ["reason": "unknown_sender"])
            config.logger.warning("certificate not in the federation manifest", metadata: ["fingerprint": .string(peer.fingerprint), "remote": .string(connection.remoteAddress)])
            try? await connection.channel.executeThenClose { _, outbound in
                if let data = try? self.outbox.status(.unknownSender, "certificate \(peer.fingerprint) is not in the federation manifest", acking: 0) {
                    try? await outbound.write(ByteBuffer(data: data))
                }
            }
            return
        }
        let sessionID = UUID()
        guard await admit(participant.id) else {
            metrics.increment("tessera_rejections_total", labels: ["reason": "session_cap"])
            config.logger.warning("connection refused: too many open for this identity", metadata: ["participant": .string(participant.id)])
            try? await connection.channel.executeThenClose { _, outbound in
                if let data = try? self.outbox.status(.refused, "\(participant.id) already has \(self.config.maxSessionsPerIdentity) connections open", acking: 0) {
                    try? await outbound.write(ByteBuffer(data: data))
                }
            }
            return
        }
        do {
            let channel = connection.channel.channel
            try await connection.channel.executeThenClose { inbound, outbound in
                let link = Link(outgoing: self.outgoingQueue(outbound, to: participant.id), close: { channel.close(promise: nil) }, id: sessionID)
                defer { link.outgoing.finish() }
                for try await frame in inbound {
                    switch frame {
                    case .oversize(let announced, let limit):
                        metrics.increment("tessera_rejections_total", labels: ["reason": "oversize"])
                        self.config.logger.warning("oversize frame", metadata: ["participant": .string(participant.id), "bytes": .stringConvertible(announced)])
                        let data = try self.outbox.status(.oversize, "frame of \(announced) bytes exceeds the limit of \(limit)", acking: 0)
                        try await outbound.write(ByteBuffer(data: data))
                        return
                    case .message(let buffer):
                        metrics.increment("tessera_bytes_received_total", labels: ["participant": participant.id], by: Double(buffer.readableBytes))
                        await self.handle(Data(buffer.readableBytesView), from: participant.id, link: link)
                    }
                }
            }
        } catch let timeout as FrameTimeout {
            metrics.increment("tessera_rejections_total", labels: ["reason": timeout.reason])
            config.logger.warning("connection closed", metadata: ["participant": .string(participant.id), "reason": .string(timeout.description)])
        } catch {
            config.logger.info("connection closed", metadata: ["participant": .string(participant.id), "reason": .string("\(error)")])
        }
        await disconnected(participant.id, session: sessionID)
    }

    func admit(_ id: String) -> Bool {
        guard connections[id, default: 0] < config.maxSessionsPerIdentity else { return false }
        connections[id, default: 0] += 1
        return true
    }

    nonisolated func reject(_ connection: Connection, reason: String, _ message: String) async {
        config.metrics.increment("tessera_rejections_total", labels: ["reason": reason])
        config.logger.warning("connection refused", metadata: ["reason": .string(reason), "detail": .string(message)])
        // executeThenClose finishes the channel's async writer and closes it.
        try? await connection.channel.executeThenClose { _, _ in }
    }

    func disconnected(_ id: String, session: UUID) {
        connections[id] = max(0, connections[id, default: 1] - 1)
        if sessions[id]?.id == session {
            sessions[id]?.outgoing.finish()
            sessions[id] = nil
            config.metrics.set("tessera_connected_participants", Double(sessions.count))
        }
    }

    // MARK: - Messages

    func handle(_ data: Data, from sender: String, link: Link) async {
        var sequence: UInt64 = 0
        do {
            let envelope = try Tessera_V1_Envelope.parse(data)
            let body = try SignedEnvelope.open(envelope, expectedSender: sender, federation: federation)
            sequence = body.sequence
            guard body.federation == federation.name else {
                throw ProtocolError(.wrongFederation, "message for federation \(body.federation.debugDescription), this is \(federation.name.debugDescription)")
            }
            let last = try config.store.lastSequence(of: sender)
            let sequenced = Outbox.isSequenced(body.payload)
            guard sequenced ? body.sequence > last : body.sequence == 0 else {
                throw sequenced ? ProtocolError(.replay, "sequence \(body.sequence) is not above the last accepted \(last) from \(sender)")
                                : ProtocolError(.malformed, "\(body.kind) messages carry sequence 0, not \(body.sequence)")
            }
            config.metrics.increment("tessera_messages_total", labels: ["kind": body.kind])
            switch body.payload {
            case .hello(let hello):
                if sessions[sender]?.id != link.id {
                    sessions[sender]?.outgoing.finish()
                    sessions[sender] = link
                }
                config.metrics.set("tessera_connected_participants", Double(sessions.count))
                log.info("participant connected", metadata: ["participant": .string(sender)])
                try await sendDKGState(to: sender)
                try await announceEnded(hello.openJobs, to: sender)
                try await catchUp(sender)
                if dkg != nil { try await advanceDKG() }
            case .jobDecision(let decision):
                try handleDecision(decision, body: body, envelope: data, from: sender)
                let roundWasOpen = try jobs[body.jobID].map { try config.store.latestRound(job: $0.id) != nil } ?? false
                try await advance()
                // A participant accepting after its round opened is asked for its update now.
                if decision.accept, roundWasOpen, jobs[body.jobID]?.phase == .collecting { try await sendRoundOpen(to: sender, job: body.jobID) }
            case .submission(let submission):
                try await handleSubmission(submission, body: body, envelope: data, from: sender)
                try await send(to: sender, try outbox.status(.ok, "submission stored", acking: body.sequence, job: body.jobID, round: Int(body.round)))
                try await advance()
            case .partialDecryptions(let partials):
                try await handlePartials(partials, body: body, envelope: data, from: sender)
                try await send(to: sender, try outbox.status(.ok, "partial decryptions verified", acking: body.sequence, job: body.jobID, round: Int(body.round)))
                try await advance()
            case .status(let status):
                if status.code == .ok {
                    try receipt(job: body.jobID, from: sender)
                } else {
                    log.warning("participant reported an error", metadata: ["participant": .string(sender), "code": .string(status.code.name), "message": .string(status.message)])
                }
            case .dkgDeal, .dkgComplaints, .dkgJustification, .dkgConfirmation:
                try await handleDKG(body, envelope: data, from: sender)
            case .keyLayer:
                throw ProtocolError(.unexpected, "a key layer travels inside a one-shot submission, never on its own")
            default:
                throw ProtocolError(.unexpected, "\(body.kind) is not a message a participant sends")
            }
        } catch let error as ProtocolError {
            config.metrics.increment("tessera_rejections_total", labels: ["reason": error.code.name])
            log.warning("message rejected", metadata: ["participant": .string(sender), "code": .string(error.code.name), "reason": .string(error.message)])
            if let data = try? outbox.status(error.code, error.message, acking: sequence) { deliver(data, on: link, to: sender) }
        } catch {
            config.metrics.increment("tessera_rejections_total", labels: ["reason": "internal"])
            log.error("internal error", metadata: ["participant": .string(sender), "error": .string("\(error)")])
            if let data = try? outbox.status(.internal, "internal error", acking: sequence) { deliver(data, on: link, to: sender) }
        }
    }

    /// Queues a sealed message for a connected participant (nothing if it is not connected).
    func send(to id: String, _ data: Data) async throws {
        guard let link = sessions[id] else { return }
        deliver(data, on: link, to: id)
    }

    /// Queues a message on one connection. A peer with `outgoingLimit` messages or
    /// `outgoingQueueBytes` bytes unread has stopped reading: its connection is closed (memory
    /// stays bounded) and it catches up when it reconnects.
    func deliver(_ data: Data, on link: Link, to id: String) {
        switch link.outgoing.enqueue(data) {
        case .queued:
            config.metrics.increment("tessera_bytes_sent_total", labels: ["participant": id], by: Double(data.count))
        case .full:
            let (messages, bytes) = link.outgoing.pending
            config.metrics.increment("tessera_rejections_total", labels: ["reason": "slow_reader"])
            log.warning("participant stopped reading; its connection is closed", metadata: [
                "participant": .string(id), "queued_messages": .stringConvertible(messages), "queued_bytes": .stringConvertible(bytes),
                "limits": .string("\(link.outgoing.messageLimit) messages, \(link.outgoing.byteLimit) bytes")])
            link.close()
            if sessions[id]?.id == link.id { sessions[id] = nil }
        case .finished:
            break  // the connection is closing; the peer catches up when it reconnects
        }
    }

    /// One connection's way out: its bounded outgoing queue, and the close of the connection
    /// (for a peer that stops reading).
    struct Link: Sendable {
        let outgoing: OutgoingQueue
        let close: @Sendable () -> Void
        let id: UUID
    }

    /// The messages to one connection leave in the order they were sealed: `send` enqueues them on
    /// the actor, without suspending between sealing (which takes the next sequence number) and
    /// enqueueing, and one task writes them in turn. Each handler awaiting its own write would
    /// leave the actor first, so a later handler's message could overtake an earlier one on the
    /// wire, and the participant would refuse the earlier sequence as a replay (a DKG relay
    /// lost that way left a holder confirming a DKG without a phase).
    nonisolated func outgoingQueue(_ writer: Writer, to id: String) -> OutgoingQueue {
        let queue = OutgoingQueue(messageLimit: Self.outgoingLimit, byteLimit: config.outgoingQueueBytes)
        let log = log
        Task {
            await queue.drain({ try await writer.write(ByteBuffer(data: $0)) }) { _ in
                log.info("send failed; participant will catch up on reconnect", metadata: ["participant": .string(id)])
            }
        }
        return queue
    }
}
