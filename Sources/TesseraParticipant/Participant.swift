import Foundation
import Logging
import NIOCore
import NIOSSL
import TesseraCrypto
import TesseraJobs
import TesseraMath
import TesseraParallel
import TesseraPrivacy
import TesseraProtocol
import TesseraRandom
import TesseraSchemes
import TesseraState
import TesseraTransport

/// A participant node (protocol/README.md §4): connects out to the coordinator, checks each
/// job against its local policy, submits its update encrypted or masked by the job's scheme,
/// and performs its decryption duty with proofs. Reconnects with backoff.
public actor Participant {
    public struct Configuration: Sendable {
        public var id: String
        public var federation: FederationInfo
        public var tls: NIOSSLContext
        public var signingKey: SigningKey
        /// This node's share of the dealt Paillier key (holders of it only).
        public var share: KeyShare?
        public var store: ParticipantStore
        public var data: VectorData
        public var policy: LocalPolicy
        public var host: String
        public var port: Int
        public var logger: Logger
        public var exitAfterJob: Bool
        /// Simulations only: all of this node's randomness (noise, encryption, proofs) from
        /// a ChaCha20 stream under this seed, so that a run can be replayed bit for bit.
        public var seed: UInt64?
        /// Simulations only: faults to inject (see `Fault`).
        public var faults: [Fault]
        /// Order data (CSV, or SQLite with an `orders` table) for the per-customer jobs.
        public var orders: String?
        /// Skip invalid order rows (and say how many) instead of refusing the job.
        public var skipInvalidRows: Bool
        /// Threads for this node's cryptography (encryption, masking, partial decryptions).
        public var parallelism: Parallelism
        /// This node's X25519 key: DKG shares are sealed to it.
        public var sealingKey: SealingPrivateKey?

        public init(id: String, federation: FederationInfo, tls: NIOSSLContext, signingKey: SigningKey, share: KeyShare?,
                    store: ParticipantStore, data: VectorData, policy: LocalPolicy, host: String, port: Int,
                    logger: Logger, exitAfterJob: Bool, seed: UInt64? = nil, faults: [Fault] = [],
                    orders: String? = nil, skipInvalidRows: Bool = false, parallelism: Parallelism = .all,
                    sealingKey: SealingPrivateKey? = nil) {
            self.id = id
            self.federation = federation
            self.tls = tls
            self.signingKey = signingKey
            self.share = share
            self.store = store
            self.data = data
            self.policy = policy
            self.host = host
            self.port = port
            self.logger = logger
            self.exitAfterJob = exitAfterJob
            self.seed = seed
            self.faults = faults
            self.orders = orders
            self.skipInvalidRows = skipInvalidRows
            self.parallelism = parallelism
            self.sealingKey = sealingKey
        }
    }

    let config: Configuration
    let outbox: Outbox
    let inputs: LocalInputs
    /// Every random value of this node, one labelled stream per purpose (noise, encryption,
    /// proofs of each job and round), so that a seeded simulation reproduces bit for bit.
    let randomness: RandomStreams
    var finished = false
    /// The last envelope sent, kept for the `replay` fault.
    var lastSent: Data?
    /// Round 1's update as computed (and checked) when the job was accepted, so that the
    /// submission does not compute it again.
    var acceptedUpdates: [String: [Int64]] = [:]
    /// Jobs held for this brand's steward: job → (spec, deadline in unix seconds).
    var holds: [String: (spec: Tessera_V1_JobSpec, deadline: Double)] = [:]
    /// Decryption requests that arrive in parts (a thousand contributors' key layers).
    var requestParts: DecryptionRequestAssembly
    nonisolated var log: Logger { config.logger }
    nonisolated var federation: FederationInfo { config.federation }

    public init(_ config: Configuration) {
        self.config = config
        requestParts = DecryptionRequestAssembly(maxKeyLayers: config.federation.participantIDs.count)
        randomness = config.seed.map { .seeded(Seed($0).derive("participant/\(config.id)")) } ?? .system
        inputs = LocalInputs(vector: config.data.values, ordersPath: config.orders, skipInvalidRows: config.skipInvalidRows)
        let store = config.store
        outbox = Outbox(federation: config.federation.name, sender: config.id, key: config.signingKey,
                        nextSequence: { try store.nextOwnSequence() })
    }

    /// Runs until the job is finished (with `exitAfterJob`) or forever, reconnecting with
    /// exponential backoff (0.25 s doubling to 8 s) after every dropped connection.
    public func run() async {
        var backoff = 0.25
        while !finished && !Task.isCancelled {
            do {
                let connection = try await TransportClient.connect(host: config.host, port: config.port, serverName: "localhost", tls: config.tls)
                backoff = 0.25
                try await session(connection)
            } catch {
                log.info("connection to coordinator ended", metadata: ["error": .string("\(error)"), "retry_in": .stringConvertible(backoff)])
            }
            if finished { break }
            try? await Task.sleep(for: .seconds(backoff))
            backoff = min(backoff * 2, 8)
        }
    }

    func session(_ connection: Connection) async throws {
        let coordinator: PeerCertificate?
        do { coordinator = try await connection.handshake.get() } catch {
            try? await connection.channel.executeThenClose { _, _ in }
            throw error
        }
        guard let coordinator, coordinator.fingerprint == federation.coordinatorFingerprint else {
            try? await connection.channel.executeThenClose { _, _ in }
            throw DataError("coordinator certificate does not match the manifest")
        }
        try await connection.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(data: try self.outbox.seal(job: "", round: 0, .hello(.with {
                $0.protocolVersion = 1
                $0.openJobs = ((try? self.config.store.openAcceptedJobs()) ?? []).map(\.job)
            }))))
            self.log.info("connected to coordinator")
            for try await frame in inbound {
                guard case .message(let buffer) = frame else {
                    self.log.warning("coordinator sent an oversize frame; reconnecting")
                    return
                }
                for reply in await self.handle(Data(buffer.readableBytesView)) {
                    try await outbound.write(ByteBuffer(data: reply))
                }
                if await self.finished { return }
            }
        }
    }

    /// Handles one coordinator message; returns the replies to send.
    func handle(_ data: Data) async -> [Data] {
        let replies = await respond(data)
        if let last = replies.last(where: { $0 != Fault.malformedFrame }) { lastSent = last }
        return replies
    }

    /// The injected faults of this (job, round) and request kind, in scenario order.
    func faults(_ kinds: Set<Fault.Kind>, job: String, round: Int) -> [Fault] {
        config.faults.filter { kinds.contains($0.kind) && $0.applies(to: job, round: round) }
    }

    /// A drop fault: the node stops for good, as a crashed one would.
    func drop(_ fault: Fault) -> [Data] {
        log.notice("fault injected: stopping for good", metadata: ["fault": .string(fault.description)])
        finished = true
        return []
    }

    /// Faults around the update of (job, round): a drop, a delay, and frames sent before it.
    func submitWithFaults(job: String, round: Int) async throws -> [Data] {
        var before: [Data] = []
        for fault in faults([.dropBeforeSubmit, .late, .malformed, .replay], job: job, round: round) {
            switch fault.kind {
            case .dropBeforeSubmit: return drop(fault)
            case .late:
                log.notice("fault injected: answering late", metadata: ["fault": .string(fault.description)])
                try await Task.sleep(for: .seconds(fault.seconds ?? 1))
            case .malformed:
                log.notice("fault injected: sending a malformed frame", metadata: ["fault": .string(fault.description)])
                before.append(Fault.malformedFrame)
            case .replay:
                log.notice("fault injected: replaying the previous message", metadata: ["fault": .string(fault.description)])
                if let lastSent { before.append(lastSent) }
            case .dropBeforeShare, .dropAfterSubmit, .inconsistentMask, .dkgBadShare, .dkgFalseJustification: break
            }
        }
        return before + [try await submit(job: job, round: round)]
    }

    func respond(_ data: Data) async -> [Data] {
        var sequence: UInt64 = 0
        do {
            let body = try SignedEnvelope.open(try Tessera_V1_Envelope.parse(data), expectedSender: FederationInfo.coordinatorID, federation: federation)
            sequence = body.sequence
            guard body.federation == federation.name else { throw ProtocolError(.wrongFederation, "message for federation \(body.federation)") }
            if Outbox.isSequenced(body.payload) {
                let last = try config.store.lastCoordinatorSequence()
                guard body.sequence > last else { throw ProtocolError(.replay, "coordinator sequence \(body.sequence) not above \(last)") }
                try config.store.acceptCoordinatorSequence(body.sequence)
            } else {
                guard body.sequence == 0 else { throw ProtocolError(.malformed, "\(body.kind) messages carry sequence 0, not \(body.sequence)") }
            }
            switch body.payload {
            case .jobSpec(let spec): return [try decide(spec, job: body.jobID)]
            case .stewardRelay(let relay): return [try stewardDecided(relay, job: body.jobID)]
            case .roundOpen: return try await submitWithFaults(job: body.jobID, round: Int(body.round))
            case .decryptionRequest(let part):
                guard let request = try requestParts.add(part, job: body.jobID, round: Int(body.round)) else { return [] }
                if let fault = faults([.dropBeforeShare], job: body.jobID, round: Int(body.round)).first { return drop(fault) }
                return [try await decrypt(request, job: body.jobID, round: Int(body.round))]
            case .roundResult(let result):
                let last = try isLastRound(Int(body.round), ofAccepted: body.jobID)
                try receive(result, job: body.jobID, round: Int(body.round), last: last)
                // The receipt that tells the coordinator this brand has the job's end.
                guard last else { return [] }
                return [try outbox.status(.ok, "result stored", acking: body.sequence, job: body.jobID, round: Int(body.round))]
            case .jobEnded(let ended):
                try jobEnded(ended, job: body.jobID)
                return [try outbox.status(.ok, "job end recorded", acking: body.sequence, job: body.jobID)]
            case .dkgStart(let start): return try handleDKGStart(start)
            case .dkgRelay(let relay): return try handleDKGRelay(relay)
            case .status(let status):
                if status.code == .ok {
                    log.debug("coordinator acknowledged", metadata: ["sequence": .stringConvertible(status.ackedSequence)])
                    // Simulations only (`drop-after-submit`): the round's submission is stored at
                    // the coordinator; this node stops for good.
                    if let fault = faults([.dropAfterSubmit], job: body.jobID, round: Int(body.round)).first,
                       try config.store.submission(job: body.jobID, round: Int(body.round)) != nil {
                        return drop(fault)
                    }
                } else {
                    log.warning("coordinator refused a message", metadata: ["code": .string(status.code.name), "reason": .string(status.message)])
                }
                return []
            default:
                throw ProtocolError(.unexpected, "\(body.kind) is not a message the coordinator sends")
            }
        } catch let error as ProtocolError {
            log.warning("refusing coordinator message", metadata: ["code": .string(error.code.name), "reason": .string(error.message)])
            return (try? outbox.status(error.code, error.message, acking: sequence)).map { [$0] } ?? []
        } catch {
            log.error("failed to handle coordinator message", metadata: ["error": .string("\(error)")])
            return (try? outbox.status(.internal, "\(error)", acking: sequence)).map { [$0] } ?? []
        }
    }

    /// `steward`: the steward's approval of a job this brand held for it (its id and reason).
    func decide(_ spec: Tessera_V1_JobSpec, job: String, steward: (id: String, reason: String)? = nil) throws -> Data {
        var reason = steward.map { "approved by \($0.id)\($0.reason.isEmpty ? "" : ": \($0.reason)")" } ?? "accepted"
        var accept = true
        do {
            let keys = try schemeKeys(for: spec)
            _ = try SchemeRules.scheme(for: spec, federation: federation, keys: keys)
            if let key = keys.federationKeys.values.first, key.holders.contains(config.id), !key.qualified.contains(config.id) {
                throw DataError("this participant was disqualified in the DKG of epoch \(key.epoch.hex): its contributions do not count until the next epoch")
            }
            guard config.policy.acceptKinds.contains(spec.kind) else { throw DataError("local policy does not allow job kind \(spec.kind)") }
            guard config.policy.acceptSchemes.contains(spec.scheme) else {
                throw DataError("local policy does not allow the \(spec.scheme) scheme (allowed: \(config.policy.acceptSchemes.joined(separator: ", ")))")
            }
            guard spec.participants.contains(config.id) else { throw DataError("job does not list this participant") }
            guard Int(spec.minParticipants) >= config.policy.minParticipants else {
                throw DataError("job would release an aggregate of as few as \(spec.minParticipants) participants; local policy requires \(config.policy.minParticipants)")
            }
            guard Int(spec.vectorLength) <= config.policy.maxVectorLength else {
                throw DataError("vector length \(spec.vectorLength) exceeds local policy maximum \(config.policy.maxVectorLength)")
            }
            if let violation = config.policy.consentViolation(spec) { throw DataError(violation) }
            let cost = try JobPrivacy.total(spec)
            if let most = config.policy.maxEpsilonPerJob, cost.epsilon > most * (1 + 1e-12) {
                throw DataError("local policy: the job spends ε = \(cost.epsilon), more than the \(most) this brand allows per job")
            }
            try checkBudget(cost, for: job)
            // The data must fit the job before anything is promised: the first round's update
            // is computed now (per-customer jobs derive and cache their features here).
            acceptedUpdates[job] = try localUpdate(spec, job: job, round: 1)
            if let rows = inputs.orderSummary() {
                log.notice("order data read", metadata: ["rows": .stringConvertible(rows.rows), "skipped_invalid": .stringConvertible(rows.skipped)])
            }
        } catch {
            accept = false
            reason = "\(error)"
        }
        if accept, config.policy.stewardApproval, steward == nil {
            let deadline = holds[job]?.deadline ?? Date().timeIntervalSince1970 + config.policy.stewardTimeout
            holds[job] = (spec, deadline)
            log.notice("job held for this brand's steward", metadata: ["job": .string(job)])
            return try outbox.seal(job: job, round: 0, .jobDecision(.with {
                $0.accept = false
                $0.held = true
                $0.holdDeadline = deadline
                $0.reason = "held for the steward of \(config.id)"
            }))
        }
        return try finalDecision(spec, job: job, accept: accept, reason: reason)
    }

    /// Jobs run concurrently, so accepting one reserves what its rounds will spend: the job
    /// fits if what is spent, plus what every other accepted job that has not ended may still
    /// spend, plus what this one will, stays within the budget. Of two jobs racing for the
    /// same budget, the one decided second is refused here, before any round of it runs.
    func checkBudget(_ cost: (epsilon: Double, delta: Double), for job: String) throws {
        let statement = try BudgetStatement(store: config.store, budget: (config.policy.budget.epsilon, config.policy.budget.delta), excluding: job)
        let own = try config.store.spent(job: job)
        let need = (epsilon: max(0, cost.epsilon - own.epsilon), delta: max(0, cost.delta - own.delta))
        guard statement.admits(need) else { throw DataError(statement.refusal(need: need)) }
    }

    /// The coordinator says a job has ended: what this brand reserved for its rounds that never
    /// ran is released, and any later request for it is refused.
    func jobEnded(_ ended: Tessera_V1_JobEnded, job: String) throws {
        acceptedUpdates[job] = nil
        holds[job] = nil
        guard try config.store.endJob(job, status: ended.status) else { return }
        log.info("job ended", metadata: ["job": .string(job), "status": .string(ended.status), "reason": .string(ended.reason)])
        if config.exitAfterJob, ended.status != "done" { finished = true }
    }

    /// Records a final decision and seals it with the remaining budget this brand declares.
    func finalDecision(_ spec: Tessera_V1_JobSpec, job: String, accept: Bool, reason: String) throws -> Data {
        holds[job] = nil
        try config.store.recordDecision(job: job, accept: accept, reason: reason, spec: try spec.serializedData())
        log.info("job decision", metadata: ["job": .string(job), "accept": .stringConvertible(accept), "reason": .string(reason)])
        let spent = try config.store.spent()
        return try outbox.seal(job: job, round: 0, .jobDecision(.with {
            $0.accept = accept
            $0.reason = reason
            $0.remainingEpsilon = max(0, config.policy.budget.epsilon - spent.epsilon)
            $0.remainingDelta = max(0, config.policy.budget.delta - spent.delta)
        }))
    }

    /// A steward's decision on a job this brand holds for it: signed by a steward of this brand
    /// (the manifest's key for that principal; the coordinator only relays it), for this job,
    /// before the hold's deadline. An approval runs every rule of the policy again.
    func stewardDecided(_ relay: Tessera_V1_StewardRelay, job: String) throws -> Data {
        guard let hold = holds[job] else { throw ProtocolError(.refused, "job \(job) is not held for a steward here") }
        let envelope = try Tessera_V1_Envelope.parse(relay.envelope)
        let unsigned = try Tessera_V1_Body(serializedBytes: envelope.body)
        guard let steward = federation.principals[unsigned.sender], steward.role == "steward", steward.organisation == config.id else {
            throw ProtocolError(.refused, "\(unsigned.sender.debugDescription) is not a steward of \(config.id) in the manifest")
        }
        let body = try SignedEnvelope.open(envelope, expectedSender: steward.id, federation: federation)
        guard body.federation == federation.name, body.jobID == job, case .stewardDecision(let decision) = body.payload, decision.brand == config.id else {
            throw ProtocolError(.refused, "the steward's envelope is not a decision of \(config.id) on job \(job)")
        }
        if Date().timeIntervalSince1970 > hold.deadline {
            return try finalDecision(hold.spec, job: job, accept: false, reason: "\(steward.id) decided after the deadline (\(config.policy.stewardTimeout) s after the job arrived)")
        }
        guard decision.approve else {
            return try finalDecision(hold.spec, job: job, accept: false, reason: "rejected by \(steward.id)\(decision.reason.isEmpty ? "" : ": \(decision.reason)")")
        }
        return try decide(hold.spec, job: job, steward: (steward.id, decision.reason))
    }

    /// The key material this node brings to a job's scheme: its Paillier share, and the
    /// federation key of the job's epoch with its share of it.
    func schemeKeys(for spec: Tessera_V1_JobSpec) throws -> SchemeKeys {
        var keys = SchemeKeys(paillierShare: config.share)
        if spec.hasOneShot, let (key, share) = try federationKey(epoch: [UInt8](spec.oneShot.epoch)) {
            keys.federationKeys[key.epoch] = key
            keys.elgamalShares[key.epoch] = share
        }
        return keys
    }

    /// The spec of a job this participant accepted, with its scheme.
    func acceptedSpec(_ job: String) throws -> (Tessera_V1_JobSpec, Scheme) {
        guard let decision = try config.store.decision(job: job), decision.accept else {
            throw ProtocolError(.unexpected, "this participant has not accepted job \(job.debugDescription)")
        }
        if let status = try config.store.endedStatus(job: job) {
            throw ProtocolError(.refused, "job \(job) has ended (\(status)); this participant sends nothing more for it")
        }
        let spec = try Tessera_V1_JobSpec(serializedBytes: decision.spec)
        return (spec, try SchemeRules.scheme(for: spec, federation: federation, keys: try schemeKeys(for: spec)))
    }

    func context(_ spec: Tessera_V1_JobSpec, job: String, round: Int) -> RoundContext {
        RoundContext(federation: federation, job: job, round: round, spec: spec, parallelism: config.parallelism)
    }

    func submit(job: String, round: Int) async throws -> Data {
        let (spec, scheme) = try acceptedSpec(job)
        guard round >= 1, round <= Int(spec.rounds) else { throw ProtocolError(.wrongRound, "round \(round) outside 1...\(spec.rounds)") }
        let stored: Data
        if let existing = try config.store.submission(job: job, round: round) {
            stored = existing
            log.info("resending the stored submission", metadata: ["job": .string(job), "round": .stringConvertible(round)])
        } else {
            // The ledger is checked before the data is touched; the spend is recorded in the
            // same transaction that stores the encrypted update, before anything is sent.
            let cost = try JobPrivacy.cost(spec, round: round)
            let spent = try config.store.spent()
            let budget = config.policy.budget
            guard spent.epsilon + cost.epsilon <= budget.epsilon * (1 + 1e-12), spent.delta + cost.delta <= budget.delta * (1 + 1e-12) else {
                throw ProtocolError(.refused, LedgerError.budgetExceeded(spent: spent.epsilon, requested: cost.epsilon, budget: budget.epsilon).description)
            }
            // Clip to the job's L2 bound, then add this participant's share of the noise
            // (exact integer sampler; redrawn above the spec's 2^-40 tail bound).
            let mechanism = try JobPrivacy.mechanism(spec)
            var update = try (round == 1 ? acceptedUpdates.removeValue(forKey: job) : nil) ?? localUpdate(spec, job: job, round: round)
            var noiseStream = randomness.stream("\(job)/\(round)/noise")
            let noise = mechanism.samples(count: update.count, bound: spec.noiseBound, using: &noiseStream)
            for i in update.indices { update[i] += noise[i] }
            var roundContext = context(spec, job: job, round: round)
            // Simulations only (`inconsistent-mask`, from the --faults file): the scheme masks
            // under one secret and encrypts another in the key layer.
            if let fault = faults([.inconsistentMask], job: job, round: round).first {
                log.notice("fault injected: masking with a secret other than the one encrypted", metadata: ["fault": .string(fault.description)])
                roundContext.injectedFault = .inconsistentMask
            }
            let submission = try await scheme.submit(update, context: roundContext, signer: outbox,
                                                     randomness: randomness.scoped("\(job)/\(round)/submission"))
            FaultInjection.crash(at: "before-store")
            do {
                stored = try config.store.storeSubmission(job: job, round: round, ciphertexts: try submission.serializedData(),
                                                          epsilon: cost.epsilon, delta: cost.delta, budget: (budget.epsilon, budget.delta))
            } catch let error as LedgerError {
                throw ProtocolError(.refused, error.description)
            }
            FaultInjection.crash(at: "after-store")
            log.info("submission encrypted", metadata: ["job": .string(job), "round": .stringConvertible(round), "scheme": .string(scheme.name),
                                                        "bytes": .stringConvertible(stored.count), "epsilon": .stringConvertible(cost.epsilon)])
        }
        let envelope = try outbox.seal(job: job, round: round, .submission(try Tessera_V1_Submission(serializedBytes: stored)))
        return envelope
    }

    /// This participant's update for (job, round), checked against the job's shape and bound.
    /// `vector-sum` protects the whole vector (clipped to `l2_bound`); the per-customer kinds
    /// bound every customer's contribution inside their computation (`JobComputation`) and
    /// start each round from the released results of the earlier ones.
    func localUpdate(_ spec: Tessera_V1_JobSpec, job: String, round: Int) throws -> [Int64] {
        let computation = try JobSpecRules.computation(spec)
        var previous: [[Int64]] = []
        if computation.startsFromEarlierResults {
            for r in stride(from: 1, to: round, by: 1) {
                guard let sums = try config.store.result(job: job, round: r) else {
                    throw ProtocolError(.refused, "round \(round) of \(job) starts from the result of round \(r), which this participant has not received")
                }
                previous.append(sums)
            }
        }
        var update: [Int64]
        do { update = try computation.update(round: round, previous: previous, inputs: inputs) } catch {
            throw DataError("local data for \(spec.kind): \(error)")
        }
        guard update.count == Int(spec.vectorLength) else {
            throw DataError("local \(spec.kind) update has \(update.count) values, job expects \(spec.vectorLength)")
        }
        if let bad = update.firstIndex(where: { $0 < -spec.valueBound || $0 > spec.valueBound }) {
            let cause = computation.perCustomerL2Bound == nil ? "" : ": too many customers for this job"
            throw DataError("local \(spec.kind) update value \(update[bad]) at index \(bad) is outside the job's bound ±\(spec.valueBound)\(cause)")
        }
        if case .vectorSum = computation, spec.l2Bound > 0 { update = L2Clipping.clip(update, to: spec.l2Bound) }
        return update
    }

    /// The decryption duty: the scheme checks what it is asked (who contributed, what the
    /// aggregate is), the request's digest is recorded durably (at most one per round), and
    /// only then are partial decryptions computed.
    func decrypt(_ request: Tessera_V1_DecryptionRequest, job: String, round: Int) async throws -> Data {
        let (spec, scheme) = try acceptedSpec(job)
        let store = config.store
        let partials = try await scheme.respond(to: request, context: context(spec, job: job, round: round),
                                                randomness: randomness.scoped("\(job)/\(round)/decryption")) { digest in
            try store.recordDecryption(job: job, round: round, aggregateHash: digest)
        }
        log.info("partial decryptions computed", metadata: ["job": .string(job), "round": .stringConvertible(round), "scheme": .string(scheme.name)])
        return try outbox.seal(job: job, round: round, .partialDecryptions(partials))
    }

    /// `last`: the round is the last of a job this brand accepted (`isLastRound`).
    func receive(_ result: Tessera_V1_RoundResult, job: String, round: Int, last: Bool) throws {
        // A result sent again (a reconnect's catch-up, possibly of an earlier job than the one
        // this run waits for) changes nothing, and ends nothing.
        guard try config.store.result(job: job, round: round) == nil else { return }
        try config.store.recordResult(job: job, round: round, sums: result.sums)
        log.info("round result received", metadata: ["job": .string(job), "round": .stringConvertible(round),
                                                     "values": .stringConvertible(result.sums.count), "contributors": .string(result.contributors.joined(separator: ","))])
        guard config.exitAfterJob else { return }
        if try last || config.store.decision(job: job).map({ !$0.accept }) ?? false { finished = true }
    }

    /// True when `round` is the last of a job this brand accepted: its result is the job's end.
    func isLastRound(_ round: Int, ofAccepted job: String) throws -> Bool {
        guard let decision = try config.store.decision(job: job), decision.accept else { return false }
        return round >= Int(try Tessera_V1_JobSpec(serializedBytes: decision.spec).rounds)
    }

    public func isFinished() -> Bool { finished }
}


/// Process-kill points for crash tests (set TESSERA_CRASH_POINT to one of the names below):
/// the participant exits immediately there, as a SIGKILL would, without cleanup.
/// "before-store": noise and encryption done, nothing stored or spent.
/// "after-store": the update and its spend are stored, nothing sent yet.
/// "dkg-deal-stored": this holder's dealing and deal are stored, the deal not sent yet.
/// "dkg-confirmation-stored": its DKG confirmation is stored, not sent yet.
enum FaultInjection {
    static let point = ProcessInfo.processInfo.environment["TESSERA_CRASH_POINT"]
    static func crash(at name: String) {
        if point == name { _exit(86) }
    }
}
