import Foundation
import Logging
import NIOCore
import TesseraCrypto
import TesseraMath
import TesseraProtocol
import TesseraState
import TesseraTransport

/// The coordinator of one federation (protocol/README.md §"Coordinator"): authenticates
/// participants by certificate against the manifest, runs the job's rounds, stores every
/// accepted message before acknowledging it, aggregates ciphertexts homomorphically and
/// combines verified partial decryptions. It never holds a key share.
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

        public init(federation: FederationInfo, signingKey: SigningKey, store: CoordinatorStore, metrics: Metrics,
                    logger: Logger, roundTimeout: Double = 60, waitForAllHolders: Bool = false) {
            self.federation = federation
            self.signingKey = signingKey
            self.store = store
            self.metrics = metrics
            self.logger = logger
            self.roundTimeout = roundTimeout
            self.waitForAllHolders = waitForAllHolders
        }
    }

    enum Phase: String { case collecting = "open", decrypting, done }

    struct ActiveJob {
        let id: String
        let spec: Tessera_V1_JobSpec
        let plan: PackingPlan
        var round: Int
        var phase: Phase
        var aggregate: [Ciphertext] = []
        var contributors: [String] = []
        var verified: [String: [VerifiedPartialDecryption]] = [:]  // holder → one per aggregate ciphertext
        /// Holders asked for partial decryptions: the first t contributors (by id), widened to
        /// every contributor if they have not all answered by the round timeout.
        var requested: Set<String> = []
        /// Participants presumed gone for the rest of the job, not waited for again: those that
        /// contributed nothing to a released round, and holders that were asked and did not
        /// answer by a timeout. Persisted as they are found, so a restart keeps them.
        var unresponsive: Set<String> = []
        var finished = false
        var phaseStarted = Date()
    }

    typealias Writer = NIOAsyncChannelOutboundWriter<ByteBuffer>

    let config: Configuration
    let outbox: Outbox
    /// Signs the coordinator's transcript records; they are never sent, so they carry sequence 0.
    let records: Outbox
    var sessions: [String: (writer: Writer, id: UUID)] = [:]
    var job: ActiveJob?
    var jobFinishedWaiters: [CheckedContinuation<Void, Never>] = []
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

    // MARK: - Job lifecycle

    /// Loads the job in progress from the store, or registers `definition` as a new job.
    public func start(job definition: JobDefinition?) throws {
        let store = config.store
        if let definition {
            let spec = try definition.spec(federation: federation)
            if try !store.jobs().contains(where: { $0.id == definition.id }) {
                try store.insertJob(id: definition.id, spec: try spec.serializedData(),
                                    specEnvelope: try records.seal(job: definition.id, round: 0, .jobSpec(spec)))
            }
        }
        guard let row = try store.jobs().last(where: { $0.status == "active" }) ?? (definition.flatMap { d in try? store.jobs().first { $0.id == d.id } }) else {
            log.info("no job to run; waiting for participants only")
            return
        }
        let spec = try Tessera_V1_JobSpec(serializedBytes: row.spec)
        let plan = try JobSpecRules.validate(spec, federation: federation)
        var active = ActiveJob(id: row.id, spec: spec, plan: plan, round: 1, phase: .collecting)
        if row.status == "done" { active.finished = true; active.phase = .done }
        if let latest = try store.latestRound(job: row.id) {
            active.round = latest.round
            active.unresponsive = try store.unresponsive(job: row.id)
            active.phase = Phase(rawValue: latest.status) ?? .collecting
        }
        job = active
        log.info("job loaded", metadata: ["job": .string(row.id), "round": .stringConvertible(active.round),
                                          "phase": .string(active.phase.rawValue),
                                          "presumed_gone": .string(active.unresponsive.sorted().joined(separator: ","))])
        if active.phase == .decrypting {
            try rebuildAggregate()
            try reloadPartials()
        }
        if !active.finished { scheduleDeadline() }
    }

    /// Suspends until the current job has produced its last result.
    public func waitUntilJobFinished() async {
        if job?.finished ?? false { return }
        await withCheckedContinuation { jobFinishedWaiters.append($0) }
    }

    /// True when the job ended because too many participants refused it.
    public func jobWasRefused() throws -> Bool {
        guard let job else { return false }
        return try config.store.jobs().first { $0.id == job.id }?.status == "refused"
    }

    public func currentResult() throws -> (sums: [Int64], contributors: [String])? {
        guard let job else { return nil }
        return try config.store.result(job: job.id, round: Int(job.spec.rounds))
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
        } catch {
            await reject(connection, reason: "tls_handshake", "TLS handshake from \(connection.remoteAddress) failed: \(error)")
            return
        }
        guard let participant = federation.participant(withFingerprint: peer.fingerprint) else {
            metrics.increment("tessera_rejections_total", labels: ["reason": "unknown_sender"], help: "Refused connections and messages by reason")
            config.logger.warning("certificate not in the federation manifest", metadata: ["fingerprint": .string(peer.fingerprint), "remote": .string(connection.remoteAddress)])
            try? await connection.channel.executeThenClose { _, outbound in
                if let data = try? self.outbox.status(.unknownSender, "certificate \(peer.fingerprint) is not in the federation manifest", acking: 0) {
                    try? await outbound.write(ByteBuffer(data: data))
                }
            }
            return
        }
        let sessionID = UUID()
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    switch frame {
                    case .oversize(let announced, let limit):
                        metrics.increment("tessera_rejections_total", labels: ["reason": "oversize"])
                        self.config.logger.warning("oversize frame", metadata: ["participant": .string(participant.id), "bytes": .stringConvertible(announced)])
                        let data = try self.outbox.status(.oversize, "frame of \(announced) bytes exceeds the limit of \(limit)", acking: 0)
                        try await outbound.write(ByteBuffer(data: data))
                        return
                    case .message(let buffer):
                        metrics.increment("tessera_bytes_received_total", labels: ["participant": participant.id], by: Double(buffer.readableBytes), help: "Bytes received per participant")
                        await self.handle(Data(buffer.readableBytesView), from: participant.id, writer: outbound, session: sessionID)
                    }
                }
            }
        } catch {
            config.logger.info("connection closed", metadata: ["participant": .string(participant.id), "reason": .string("\(error)")])
        }
        await disconnected(participant.id, session: sessionID)
    }

    nonisolated func reject(_ connection: Connection, reason: String, _ message: String) async {
        config.metrics.increment("tessera_rejections_total", labels: ["reason": reason])
        config.logger.warning("connection refused", metadata: ["reason": .string(reason), "detail": .string(message)])
        // executeThenClose finishes the channel's async writer and closes it.
        try? await connection.channel.executeThenClose { _, _ in }
    }

    func disconnected(_ id: String, session: UUID) {
        if sessions[id]?.id == session {
            sessions[id] = nil
            config.metrics.set("tessera_connected_participants", Double(sessions.count))
        }
    }

    // MARK: - Messages

    func handle(_ data: Data, from sender: String, writer: Writer, session: UUID) async {
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
            config.metrics.increment("tessera_messages_total", labels: ["kind": body.kind], help: "Accepted messages by kind")
            switch body.payload {
            case .hello:
                sessions[sender] = (writer, session)
                config.metrics.set("tessera_connected_participants", Double(sessions.count), help: "Participants with an open session")
                log.info("participant connected", metadata: ["participant": .string(sender)])
                try await catchUp(sender)
            case .jobDecision(let decision):
                try handleDecision(decision, body: body, envelope: data, from: sender)
                let roundWasOpen = try job.map { try config.store.latestRound(job: $0.id) != nil } ?? false
                try await advance()
                // A participant accepting after its round opened is asked for its update now.
                if decision.accept, roundWasOpen, job?.phase == .collecting { try await sendRoundOpen(to: sender) }
            case .submission(let submission):
                try handleSubmission(submission, body: body, envelope: data, from: sender)
                try await send(to: sender, try outbox.status(.ok, "submission stored", acking: body.sequence, job: body.jobID, round: Int(body.round)))
                try await advance()
            case .partialDecryptions(let partials):
                try handlePartials(partials, body: body, envelope: data, from: sender)
                try await send(to: sender, try outbox.status(.ok, "partial decryptions verified", acking: body.sequence, job: body.jobID, round: Int(body.round)))
                try await advance()
            case .status(let status):
                if status.code != .ok {
                    log.warning("participant reported an error", metadata: ["participant": .string(sender), "code": .string(status.code.name), "message": .string(status.message)])
                }
            default:
                throw ProtocolError(.unexpected, "\(body.kind) is not a message a participant sends")
            }
        } catch let error as ProtocolError {
            config.metrics.increment("tessera_rejections_total", labels: ["reason": error.code.name], help: "Refused connections and messages by reason")
            log.warning("message rejected", metadata: ["participant": .string(sender), "code": .string(error.code.name), "reason": .string(error.message)])
            if let data = try? outbox.status(error.code, error.message, acking: sequence) {
                try? await writer.write(ByteBuffer(data: data))
            }
        } catch {
            config.metrics.increment("tessera_rejections_total", labels: ["reason": "internal"])
            log.error("internal error", metadata: ["participant": .string(sender), "error": .string("\(error)")])
            if let data = try? outbox.status(.internal, "internal error", acking: sequence) {
                try? await writer.write(ByteBuffer(data: data))
            }
        }
    }

    func requireJob(_ body: Tessera_V1_Body) throws -> ActiveJob {
        guard let job, body.jobID == job.id else {
            throw ProtocolError(.wrongJob, "no active job \(body.jobID.debugDescription)")
        }
        return job
    }

    func requireRound(_ body: Tessera_V1_Body, phase: Phase, of job: ActiveJob) throws {
        let round = Int(body.round)
        if round < job.round || (round == job.round && job.phase != phase && phase == .collecting) || job.finished {
            throw ProtocolError(.roundClosed, "round \(round) of job \(job.id) is closed")
        }
        guard round == job.round, job.phase == phase else {
            throw ProtocolError(.wrongRound, "round \(round) is not \(phase == .collecting ? "collecting submissions" : "being decrypted") (current round \(job.round), \(job.phase.rawValue))")
        }
    }

    func handleDecision(_ decision: Tessera_V1_JobDecision, body: Tessera_V1_Body, envelope: Data, from sender: String) throws {
        let job = try requireJob(body)
        guard job.spec.participants.contains(sender) else { throw ProtocolError(.unexpected, "\(sender) is not listed in job \(job.id)") }
        let opened = try config.store.latestRound(job: job.id) != nil
        if opened, try config.store.decisions(job: job.id)[sender] != nil {
            throw ProtocolError(.duplicate, "\(sender) already decided on job \(job.id); a decision cannot change once the job has started")
        }
        try config.store.recordDecision(job: job.id, participant: sender, accept: decision.accept, reason: decision.reason, sequence: body.sequence,
                                        remaining: (decision.remainingEpsilon, decision.remainingDelta), envelope: envelope, transcribe: opened)
        log.info("job decision", metadata: ["participant": .string(sender), "accept": .stringConvertible(decision.accept), "reason": .string(decision.reason)])
    }

    func handleSubmission(_ submission: Tessera_V1_Submission, body: Tessera_V1_Body, envelope: Data, from sender: String) throws {
        let job = try requireJob(body)
        do { try requireRound(body, phase: .collecting, of: job) } catch let e as ProtocolError where e.code == .roundClosed {
            // A second submission is a duplicate whether or not its round has closed meanwhile,
            // so the sender learns the same thing however the round's timing fell.
            if try config.store.hasSubmission(job: job.id, round: Int(body.round), participant: sender) {
                throw ProtocolError(.duplicate, "\(sender) already submitted for round \(body.round) of job \(job.id)")
            }
            throw e
        }
        guard try config.store.decisions(job: job.id)[sender]?.accept == true else {
            throw ProtocolError(.unexpected, "\(sender) has not accepted job \(job.id)")
        }
        let expected = job.plan.plaintextCount(forLength: Int(job.spec.vectorLength))
        guard submission.ciphertexts.count == expected else {
            throw ProtocolError(.wrongLength, "expected \(expected) ciphertexts for \(job.spec.vectorLength) values, got \(submission.ciphertexts.count)")
        }
        for (i, c) in submission.ciphertexts.enumerated() {
            _ = try CiphertextCoding.decode(c, key: federation.thresholdKey.paillier, index: i)
        }
        guard try config.store.recordSubmission(job: job.id, round: job.round, participant: sender, sequence: body.sequence, envelope: envelope) else {
            throw ProtocolError(.duplicate, "\(sender) already submitted for round \(job.round) of job \(job.id)")
        }
        config.metrics.increment("tessera_submissions_total", help: "Stored submissions")
        config.metrics.increment("tessera_submission_bytes_total", labels: ["participant": sender], by: Double(envelope.count))
        let count = try config.store.submissions(job: job.id, round: job.round).count
        log.info("submission stored", metadata: ["participant": .string(sender), "round": .stringConvertible(job.round),
                                                 "count": .stringConvertible(count)])
    }

    func handlePartials(_ message: Tessera_V1_PartialDecryptions, body: Tessera_V1_Body, envelope: Data, from sender: String) throws {
        guard var job = self.job, body.jobID == job.id else { throw ProtocolError(.wrongJob, "no active job \(body.jobID.debugDescription)") }
        try requireRound(body, phase: .decrypting, of: job)
        guard let holder = federation.participants[sender], Int(message.holderIndex) == holder.shareIndex else {
            throw ProtocolError(.invalidProof, "\(sender) claims share \(message.holderIndex), the manifest gives it share \(federation.participants[sender]?.shareIndex ?? 0)")
        }
        guard message.values.count == job.aggregate.count else {
            throw ProtocolError(.wrongLength, "expected \(job.aggregate.count) partial decryptions, got \(message.values.count)")
        }
        let batch = try CiphertextCoding.decode(message, key: federation.thresholdKey)
        let verified: [VerifiedPartialDecryption]
        do {
            verified = try federation.thresholdKey.verify(batch, of: job.aggregate)
        } catch {
            throw ProtocolError(.invalidProof, "partial decryptions from \(sender) (share \(holder.shareIndex)) do not match their proof")
        }
        try config.store.recordPartials(job: job.id, round: job.round, holder: sender, sequence: body.sequence, envelope: envelope)
        job.verified[sender] = verified
        self.job = job
        log.info("partial decryptions verified", metadata: ["holder": .string(sender), "round": .stringConvertible(job.round)])
    }

    // MARK: - State machine

    /// Moves the job forward as far as the stored state allows.
    func advance() async throws {
        guard var job, !job.finished else { return }
        let store = config.store
        let decisions = try store.decisions(job: job.id)
        let accepted = job.spec.participants.filter { decisions[$0]?.accept == true }
        if try store.latestRound(job: job.id) == nil {
            let refusals = job.spec.participants.filter { decisions[$0]?.accept == false }
            let everyoneDecided = job.spec.participants.allSatisfy { decisions[$0] != nil }
            let timedOut = Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout
            // A job too many refuse ends once everyone has decided (or at the timeout), and its
            // decisions enter the transcript, so auditors see who refused and why.
            if job.spec.participants.count - refusals.count < Int(job.spec.minParticipants), everyoneDecided || timedOut {
                log.error("job cannot run: too many refusals", metadata: ["job": .string(job.id), "refused": .string(refusals.joined(separator: ","))])
                job.finished = true
                job.phase = .done
                self.job = job
                try store.setJobStatus(job.id, "refused", transcript: try decisionRecords(job.id))
                for waiter in jobFinishedWaiters { waiter.resume() }
                jobFinishedWaiters = []
                return
            }
            // Round 1 opens once every listed participant has decided, or at the round timeout
            // with enough acceptances: the transcribed decisions then do not depend on timing.
            guard accepted.count >= Int(job.spec.minParticipants), everyoneDecided || timedOut else { return }
            // The federation ledger: no round starts that an accepting participant's declared
            // remaining budget cannot afford (each participant also enforces its own).
            let (needEpsilon, needDelta) = try JobPrivacy.total(job.spec)
            let budgets = try store.declaredBudgets(job: job.id)
            let short = accepted.filter { id in
                guard let b = budgets[id] else { return true }
                return b.epsilon + 1e-9 < needEpsilon || b.delta + 1e-15 < needDelta
            }
            guard short.isEmpty else {
                config.metrics.increment("tessera_rejections_total", labels: ["reason": "budget"])
                log.error("job cannot start: declared budgets cannot afford it", metadata: ["job": .string(job.id), "participants": .string(short.joined(separator: ",")),
                                                                                          "epsilon": .stringConvertible(needEpsilon)])
                return
            }
            try store.openRound(job: job.id, round: job.round, transcript: try decisionRecords(job.id))
            job.phase = .collecting
            job.phaseStarted = Date()
            self.job = job
            log.info("round opened", metadata: ["job": .string(job.id), "round": .stringConvertible(job.round), "participants": .string(accepted.joined(separator: ","))])
            scheduleDeadline()
            for id in accepted { try await sendRoundOpen(to: id) }
            return
        }
        switch job.phase {
        case .collecting:
            let submitted = try store.submissions(job: job.id, round: job.round).map(\.participant)
            // Wait for every listed participant that has not refused and is not presumed gone,
            // until the round timeout.
            let awaited = job.spec.participants.filter { decisions[$0]?.accept != false && !job.unresponsive.contains($0) }
            let everyone = Set(awaited).isSubset(of: Set(submitted))
            let deadlinePassed = Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout
            guard submitted.count >= Int(job.spec.minParticipants), everyone || deadlinePassed else { return }
            config.metrics.set("tessera_phase_seconds", labels: ["phase": "collect"], Date().timeIntervalSince(job.phaseStarted), help: "Duration of the last completed phase")
            config.metrics.increment("tessera_phase_seconds_total", labels: ["phase": "collect"], by: Date().timeIntervalSince(job.phaseStarted), help: "Time spent per phase")
            try rebuildAggregate()
            var items = try store.submissions(job: job.id, round: job.round).map { Transcript.Item(author: $0.participant, kind: "submission", envelope: $0.envelope) }
            items.append(Transcript.Item(author: FederationInfo.coordinatorID, kind: "aggregate",
                                         envelope: try records.seal(job: job.id, round: job.round, .decryptionRequest(decryptionRequest()))))
            try store.setRoundStatus(job: job.id, round: job.round, "decrypting", transcript: items)
            self.job!.phase = .decrypting
            self.job!.phaseStarted = Date()
            scheduleDeadline()
            log.info("aggregate computed; requesting decryption", metadata: ["round": .stringConvertible(job.round), "contributors": .string(self.job!.contributors.joined(separator: ","))])
            for id in self.job!.requested.sorted() { try await sendDecryptionRequest(to: id) }
        case .decrypting:
            guard job.verified.count >= federation.thresholdKey.threshold else { return }
            if config.waitForAllHolders {
                let all = job.requested.subtracting(job.unresponsive).isSubset(of: Set(job.verified.keys))
                guard all || Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout else { return }
            }
            try await finishRound()
        case .done:
            return
        }
    }

    func rebuildAggregate() throws {
        guard var job else { return }
        let key = federation.thresholdKey.paillier
        var aggregate: [Ciphertext] = []
        var contributors: [String] = []
        let start = Date()
        for (participant, envelope) in try config.store.submissions(job: job.id, round: job.round) {
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
            guard case .submission(let submission) = body.payload else { throw StateError.inconsistent("stored submission is not one") }
            let cts = try submission.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: key, index: $0) }
            aggregate = aggregate.isEmpty ? cts : try zip(aggregate, cts).map { try key.add($0, $1) }
            contributors.append(participant)
        }
        config.metrics.set("tessera_phase_seconds", labels: ["phase": "aggregate"], Date().timeIntervalSince(start))
        config.metrics.increment("tessera_phase_seconds_total", labels: ["phase": "aggregate"], by: Date().timeIntervalSince(start))
        job.aggregate = aggregate
        job.contributors = contributors.sorted()
        job.requested = Set(job.contributors.filter { !job.unresponsive.contains($0) }.prefix(federation.thresholdKey.threshold))
        self.job = job
    }

    func reloadPartials() throws {
        guard var job else { return }
        for (holder, envelope) in try config.store.partials(job: job.id, round: job.round) {
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
            guard case .partialDecryptions(let message) = body.payload, let index = federation.participants[holder]?.shareIndex else { continue }
            guard Int(message.holderIndex) == index else { continue }
            job.verified[holder] = try federation.thresholdKey.verify(try CiphertextCoding.decode(message, key: federation.thresholdKey), of: job.aggregate)
        }
        self.job = job
    }

    func finishRound() async throws {
        guard var job, job.phase == .decrypting, !job.finished else { return }
        let key = federation.thresholdKey
        let holders = job.verified.keys.sorted().prefix(key.threshold)
        var plaintexts: [BigInt] = []
        for i in job.aggregate.indices {
            plaintexts.append(try key.combine(holders.map { job.verified[$0]![i] }, of: job.aggregate[i]))
        }
        let sums: [Int64]
        do {
            sums = try SlotPacker(plan: job.plan).unpackSum(plaintexts, length: Int(job.spec.vectorLength), contributions: job.contributors.count)
        } catch {
            log.error("aggregate does not decode: a contribution exceeded its bounds", metadata: ["error": .string("\(error)")])
            throw error
        }
        // Record and move the state machine on before any await, so that no concurrent
        // handler (another holder's late partials) can release the round twice.
        let (released, contributors) = (job.round, job.contributors)
        let result = Tessera_V1_Body.OneOf_Payload.roundResult(.with { $0.sums = sums; $0.contributors = contributors })
        let verifiedHolders = Set(job.verified.keys)
        var items = try config.store.partials(job: job.id, round: released).filter { verifiedHolders.contains($0.holder) }
            .map { Transcript.Item(author: $0.holder, kind: "partial_decryptions", envelope: $0.envelope) }
        items.append(Transcript.Item(author: FederationInfo.coordinatorID, kind: "round_result", envelope: try records.seal(job: job.id, round: released, result)))
        try config.store.recordResult(job: job.id, round: released, sums: sums, contributors: contributors,
                                      spend: try JobPrivacy.cost(job.spec, round: released), transcript: items)
        config.metrics.set("tessera_phase_seconds", labels: ["phase": "decrypt"], Date().timeIntervalSince(job.phaseStarted))
        config.metrics.increment("tessera_phase_seconds_total", labels: ["phase": "decrypt"], by: Date().timeIntervalSince(job.phaseStarted))
        config.metrics.increment("tessera_rounds_completed_total", help: "Rounds with a released result")
        log.info("round result released", metadata: ["job": .string(job.id), "round": .stringConvertible(released),
                                                     "values": .stringConvertible(sums.count), "contributors": .string(contributors.joined(separator: ","))])
        let nextRound = released < Int(job.spec.rounds)
        try markUnresponsive(Set(job.spec.participants).subtracting(contributors), in: &job)
        if nextRound {
            job.round += 1
            job.phase = .collecting
            job.phaseStarted = Date()
            job.aggregate = []
            job.contributors = []
            job.verified = [:]
            try config.store.openRound(job: job.id, round: job.round)
        } else {
            job.phase = .done
            job.finished = true
            try config.store.setJobStatus(job.id, "done")
            log.info("job finished", metadata: ["job": .string(job.id)])
        }
        self.job = job

        for id in sessions.keys.sorted() { try await send(to: id, try outbox.seal(job: job.id, round: released, result)) }
        if nextRound {
            scheduleDeadline()
            let decisions = try config.store.decisions(job: job.id)
            for id in job.spec.participants where decisions[id]?.accept == true { try await sendRoundOpen(to: id) }
        } else {
            for waiter in jobFinishedWaiters { waiter.resume() }
            jobFinishedWaiters = []
        }
    }

    /// The job's recorded decisions as transcript entries, in participant order.
    func decisionRecords(_ job: String) throws -> [Transcript.Item] {
        try config.store.decisionEnvelopes(job: job).map { Transcript.Item(author: $0.participant, kind: "job_decision", envelope: $0.envelope) }
    }

    /// Re-examines the current phase once the round timeout has passed in it.
    /// Presumes `participants` gone for the rest of the job, durably first.
    func markUnresponsive(_ participants: Set<String>, in job: inout ActiveJob) throws {
        guard !participants.isSubset(of: job.unresponsive) else { return }
        try config.store.markUnresponsive(job: job.id, participants: participants)
        job.unresponsive.formUnion(participants)
    }

    func scheduleDeadline() {
        guard let job else { return }
        let (id, round, phase, timeout) = (job.id, job.round, job.phase, config.roundTimeout)
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            await self?.deadline(job: id, round: round, phase: phase)
        }
    }

    func deadline(job id: String, round: Int, phase: Phase) async {
        guard var job, job.id == id, job.round == round, job.phase == phase, phase != .done else { return }
        // Requested holders missing at the timeout: ask every other contributor too, and wait
        // one more timeout for them (unless t have already answered and will be combined).
        let answered = Set(job.verified.keys)
        // (Fewer than t answers: the requested set may be smaller than t when contributors are
        // presumed gone, and then it is widened even though all of it answered.)
        if phase == .decrypting, answered.count < federation.thresholdKey.threshold, job.requested != Set(job.contributors) {
            do { try markUnresponsive(job.requested.subtracting(answered), in: &job) } catch {
                log.error("could not record unresponsive holders", metadata: ["error": .string("\(error)")])
            }
            job.requested = Set(job.contributors)
            job.phaseStarted = Date()
            self.job = job
            log.warning("requested holders did not all answer in time; asking every contributor",
                        metadata: ["asked": .string(job.requested.subtracting(answered).sorted().joined(separator: ","))])
            scheduleDeadline()
            do { for holder in job.requested.subtracting(answered).sorted() { try await sendDecryptionRequest(to: holder) } } catch {
                log.error("decryption request failed", metadata: ["error": .string("\(error)")])
            }
            return
        }
        do { try await advance() } catch { log.error("advance after deadline failed", metadata: ["error": .string("\(error)")]) }
    }

    /// Brings a (re)connected participant up to date with the job.
    func catchUp(_ id: String) async throws {
        guard let job else { return }
        let decisions = try config.store.decisions(job: job.id)
        if job.finished {
            if let result = try config.store.result(job: job.id, round: job.round) {
                let payload = Tessera_V1_Body.OneOf_Payload.roundResult(.with { $0.sums = result.sums; $0.contributors = result.contributors })
                try await send(to: id, try outbox.seal(job: job.id, round: job.round, payload))
            }
            return
        }
        guard job.spec.participants.contains(id) else { return }
        guard let decision = decisions[id] else {
            try await send(to: id, try outbox.seal(job: job.id, round: 0, .jobSpec(job.spec)))
            return
        }
        guard decision.accept, try config.store.latestRound(job: job.id) != nil else { return }
        switch job.phase {
        case .collecting:
            let submitted = try config.store.submissions(job: job.id, round: job.round).map(\.participant)
            if !submitted.contains(id) { try await sendRoundOpen(to: id) }
        case .decrypting:
            if job.verified[id] == nil { try await sendDecryptionRequest(to: id) }
        case .done:
            break
        }
    }

    func sendRoundOpen(to id: String) async throws {
        guard let job else { return }
        try await send(to: id, try outbox.seal(job: job.id, round: job.round, .roundOpen(.init())))
    }

    func decryptionRequest() -> Tessera_V1_DecryptionRequest {
        let key = federation.thresholdKey.paillier
        return Tessera_V1_DecryptionRequest.with {
            $0.ciphertexts = (job?.aggregate ?? []).map { CiphertextCoding.encode($0, key: key) }
            $0.contributors = job?.contributors ?? []
        }
    }

    func sendDecryptionRequest(to id: String) async throws {
        guard let job, job.phase == .decrypting, job.requested.contains(id), job.verified[id] == nil else { return }
        try await send(to: id, try outbox.seal(job: job.id, round: job.round, .decryptionRequest(decryptionRequest())))
    }

    func send(to id: String, _ data: Data) async throws {
        guard let session = sessions[id] else { return }
        config.metrics.increment("tessera_bytes_sent_total", labels: ["participant": id], by: Double(data.count), help: "Bytes sent per participant")
        do {
            try await session.writer.write(ByteBuffer(data: data))
        } catch {
            log.info("send failed; participant will catch up on reconnect", metadata: ["participant": .string(id)])
        }
    }
}

