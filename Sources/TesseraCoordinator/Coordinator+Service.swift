import Foundation
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// What the job API (TesseraService) asks of a running coordinator: jobs submitted by a
/// principal and queued, run up to `concurrentJobs` at once in submission order (a queued
/// job starts when a running one has released its last result, failed, been refused or been
/// cancelled); their state, decisions and results;
/// and the transcript records of every access. Authorisation is not decided here: the API
/// checks the access matrix before it calls any of these.
extension Coordinator {
    /// A job as the API shows it.
    public struct JobSummary: Codable, Sendable, Equatable {
        public struct Decision: Codable, Sendable, Equatable {
            public var accept: Bool
            public var reason: String
            public init(accept: Bool, reason: String) {
                self.accept = accept
                self.reason = reason
            }
        }
        public var id: String
        public var kind: String
        public var scheme: String
        /// "queued", "active", "done", "refused", "failed" or "cancelled".
        public var status: String
        public var proposer: String?
        public var purpose: String?
        public var readers: [String]
        public var participants: [String]
        public var epsilon: String?
        public var delta: String?
        public var rounds: Int
        /// Rounds whose result has been released.
        public var released: Int
        public var decisions: [String: Decision]
        /// Brands whose policy holds the job for their steward, with their deadline (unix seconds).
        public var held: [String: Double] = [:]
        /// Brands that confirmed they have the job's end (its last result, or the notice that it
        /// ended): their receipts (protocol/README §4), sorted.
        public var endConfirmedBy: [String] = []

        public init(id: String, kind: String, scheme: String, status: String, proposer: String?, purpose: String?, readers: [String],
                    participants: [String], epsilon: String?, delta: String?, rounds: Int, released: Int, decisions: [String: Decision],
                    held: [String: Double] = [:], endConfirmedBy: [String] = []) {
            (self.id, self.kind, self.scheme, self.status, self.proposer, self.purpose) = (id, kind, scheme, status, proposer, purpose)
            (self.readers, self.participants, self.epsilon, self.delta) = (readers, participants, epsilon, delta)
            (self.rounds, self.released, self.decisions, self.held, self.endConfirmedBy) = (rounds, released, decisions, held, endConfirmedBy)
        }
    }

    /// A released round, as the API returns it to a reader.
    public struct ReleasedRound: Codable, Sendable, Equatable {
        public var round: Int
        public var contributors: [String]
        public var sums: [Int64]
    }

    /// Validates a job submitted through the API and queues it under `proposer`; it starts now
    /// if nothing else runs. A job id already used (queued, running or finished) is refused.
    public func submit(_ submitted: JobDefinition, proposer: String) async throws -> JobSummary {
        var definition = submitted
        definition.proposer = proposer
        let store = config.store
        if try store.jobs().contains(where: { $0.id == definition.id }) || store.pendingDefinitions().contains(where: { $0.id == definition.id }) {
            throw ProtocolError(.duplicate, "job id \(definition.id.debugDescription) is already used in this federation")
        }
        if definition.scheme == OneShotScheme.name, federationKey == nil {
            try definition.validateBeforeKey(federation: federation)
        } else {
            _ = try definition.spec(federation: federation, federationKey: federationKey)
        }
        try refuseUnaffordable(definition)
        try store.savePendingDefinition(id: definition.id, definition: try JSONEncoder().encode(definition))
        log.info("job queued", metadata: ["job": .string(definition.id), "proposer": .string(proposer)])
        if primaryJob == nil { primaryJob = definition.id }
        if definition.scheme == OneShotScheme.name, federationKey == nil { try await requireFederationKey() }
        try await advance()
        try countQueued()
        guard let summary = try jobSummary(definition.id) else { throw ProtocolError(.internal, "job \(definition.id) vanished after submission") }
        return summary
    }

    /// Refuses, before anything is stored, a job that too few of its brands could afford by the
    /// budgets they last declared (each brand's own ledger decides anyway; this spares a job
    /// that cannot run). Brands that have never declared are given the benefit of the doubt.
    func refuseUnaffordable(_ definition: JobDefinition) throws {
        let demand = try definition.privacyDemand(federation: federation)
        guard demand.epsilon > 0 else { return }
        let remaining = try budgets().compactMapValues { b in b.total.map { $0 - b.spent } }
        let able = demand.participants.filter { remaining[$0].map { $0 >= demand.epsilon * (1 - 1e-12) } ?? true }
        guard able.count >= demand.minParticipants else {
            let shown = demand.participants.map { b in "\(b) \(remaining[b].map { String(format: "%.4g", $0) } ?? "?")" }.joined(separator: ", ")
            throw JobFieldError(field: "privacy", message: "privacy: the job spends ε = \(String(format: "%.4g", demand.epsilon)), which only \(able.count) of its brands have left by their last declarations (\(shown)); it needs \(demand.minParticipants)")
        }
    }

    /// A submitted job refused for one of its fields (the API answers 400 naming it).
    public struct JobFieldError: Error, CustomStringConvertible {
        public let field: String
        public let message: String
        public var description: String { message }
    }

    func countQueued() throws { config.metrics.set("tessera_jobs_queued", Double(try config.store.pendingDefinitions().count)) }

    /// Registers queued jobs, in submission order, while fewer than `concurrentJobs` run; true
    /// if one started (the caller, `advance`, then steps it). A one-shot job waiting for the
    /// epoch's key stays queued until the DKG ends, and a Paillier job behind it may pass it;
    /// while a DKG runs nothing starts (its relays and the job's messages would compete).
    func startQueued() async throws -> Bool {
        var started = false
        for (id, data) in try config.store.pendingDefinitions() where jobs.count < config.concurrentJobs {
            if federationKey == nil, dkg != nil, dkgFailure() == nil { break }
            let definition = try JSONDecoder().decode(JobDefinition.self, from: data)
            if definition.scheme == OneShotScheme.name, federationKey == nil { continue }
            log.info("starting a queued job", metadata: ["job": .string(id), "running": .stringConvertible(jobs.count)])
            try await register(definition)
            started = started || jobs[id] != nil
        }
        if started {
            for participant in sessions.keys.sorted() { try await catchUp(participant) }
            try countQueued()
        }
        return started
    }

    /// Every job, queued ones last, in submission order.
    public func jobSummaries() throws -> [JobSummary] {
        let store = config.store
        let decisions = try store.allDecisions(), released = try store.releasedRoundCounts(), receipts = try store.allReceipts()
        var out: [JobSummary] = try store.jobs().map { row in
            try summary(row, decisions: decisions[row.id] ?? [:], released: released[row.id] ?? 0, receipts: receipts[row.id] ?? [])
        }
        for (id, data) in try store.pendingDefinitions() { out.append(try queued(id, data)) }
        return out
    }

    /// One job, with a few queries whatever the number of jobs stored.
    public func jobSummary(_ id: String) throws -> JobSummary? {
        let store = config.store
        if let row = try store.job(id: id) {
            return try summary(row, decisions: try store.decisions(job: id), released: try store.releasedRoundCount(job: id),
                               receipts: try store.receipts(job: id))
        }
        return try store.pendingDefinitions().first { $0.id == id }.map { try queued($0.id, $0.definition) }
    }

    func queued(_ id: String, _ data: Data) throws -> JobSummary {
        let definition = try JSONDecoder().decode(JobDefinition.self, from: data)
        return JobSummary(id: id, kind: definition.kind, scheme: definition.scheme, status: "queued", proposer: definition.proposer,
                          purpose: definition.purpose, readers: (definition.readers ?? []).sorted(),
                          participants: (definition.participants ?? federation.participantIDs).sorted(), epsilon: nil, delta: nil,
                          rounds: definition.rounds ?? 1, released: 0, decisions: [:])
    }

    func summary(_ row: CoordinatorStore.JobRow, decisions: [String: (accept: Bool, reason: String)], released: Int,
                 receipts: Set<String>) throws -> JobSummary {
        let spec = try Tessera_V1_JobSpec(serializedBytes: row.spec)
        return JobSummary(id: row.id, kind: spec.kind, scheme: spec.scheme, status: row.status,
                          proposer: spec.proposer.isEmpty ? nil : spec.proposer, purpose: spec.purpose.isEmpty ? nil : spec.purpose,
                          readers: spec.resultReaders, participants: spec.participants, epsilon: spec.epsilon, delta: spec.delta,
                          rounds: Int(spec.rounds), released: released,
                          decisions: decisions.mapValues { JobSummary.Decision(accept: $0.accept, reason: $0.reason) }, held: holds[row.id] ?? [:],
                          endConfirmedBy: receipts.sorted())
    }

    /// Relays a steward's signed decision to its brand, which holds the job for it, and enters
    /// the envelope (signed by the steward) in the transcript. The API has checked the matrix
    /// and the envelope's signature.
    public func relayStewardDecision(job id: String, brand: String, steward: String, envelope: Data) async throws {
        guard let job = jobs[id], !job.finished else { throw ProtocolError(.refused, "job \(id) is not waiting for decisions") }
        guard let until = holds[id]?[brand] else {
            throw ProtocolError(.refused, "\(brand) holds no decision for its steward on job \(id)")
        }
        guard Date().timeIntervalSince1970 <= until else {
            throw ProtocolError(.refused, "\(brand)'s hold of job \(id) for its steward expired at \(Date(timeIntervalSince1970: until)); it counts as refused")
        }
        guard sessions[brand] != nil else { throw ProtocolError(.refused, "\(brand) is not connected; its steward's decision cannot reach it now") }
        try config.store.appendTranscript([Transcript.Item(author: steward, kind: "steward_decision", envelope: envelope)])
        try await send(to: brand, try outbox.seal(job: id, round: 0, .stewardRelay(.with { $0.envelope = envelope })))
        holds[id]?[brand] = nil  // one decision per hold; the brand answers with its own
        log.notice("steward decision relayed", metadata: ["job": .string(id), "brand": .string(brand), "steward": .string(steward)])
    }

    /// The signed spec of a job that has started (queued jobs have none yet).
    public func jobSpec(_ id: String) throws -> Tessera_V1_JobSpec? {
        guard let row = try config.store.job(id: id) else { return nil }
        return try Tessera_V1_JobSpec(serializedBytes: row.spec)
    }

    /// The released rounds of a job (none while it runs).
    public func releasedRounds(_ id: String) throws -> [ReleasedRound] {
        guard let spec = try jobSpec(id) else { return [] }
        return try (1...max(1, Int(spec.rounds))).compactMap { round in
            try config.store.result(job: id, round: round).map { ReleasedRound(round: round, contributors: $0.contributors, sums: $0.sums) }
        }
    }

    /// Cancels a job: a queued one is removed; a running one ends as "cancelled" (nothing more
    /// of it is released, its participants are told and release what they reserved for it).
    /// Either way the cancellation is an access record in the transcript. A job that has ended
    /// cannot be cancelled.
    public func cancel(_ id: String, principal: String, role: String) async throws {
        if try config.store.removePendingDefinition(id: id, transcript: [try accessItem(principal: principal, role: role, action: "cancel-job", job: id, detail: "queued job removed")]) {
            log.notice("queued job cancelled", metadata: ["job": .string(id), "principal": .string(principal)])
            try countQueued()
            return
        }
        guard let row = try config.store.job(id: id) else { throw ProtocolError(.wrongJob, "no job \(id.debugDescription)") }
        guard row.status == "active", let job = jobs[id], !job.finished else {
            throw ProtocolError(.refused, "job \(id) has ended (\(row.status)); only queued or running jobs can be cancelled")
        }
        let detail = "running job stopped in round \(job.round) (\(job.phase.rawValue))"
        try config.store.setJobStatus(id, "cancelled", transcript: [try accessItem(principal: principal, role: role, action: "cancel-job", job: id, detail: detail)])
        log.notice("running job cancelled", metadata: ["job": .string(id), "principal": .string(principal), "round": .stringConvertible(job.round)])
        try await ended(id, status: "cancelled", reason: "cancelled by \(principal)")
        try await advance()
    }

    /// Records a principal's access in the transcript (signed by the coordinator, chained).
    public func recordAccess(principal: String, role: String, action: String, job: String = "", detail: String = "") throws {
        try config.store.appendTranscript([try accessItem(principal: principal, role: role, action: action, job: job, detail: detail)])
    }

    func accessItem(principal: String, role: String, action: String, job: String, detail: String) throws -> Transcript.Item {
        let record = Tessera_V1_AccessRecord.with {
            $0.principal = principal
            $0.role = role
            $0.action = action
            $0.detail = detail
        }
        return Transcript.Item(author: FederationInfo.coordinatorID, kind: "access", envelope: try records.seal(job: job, round: 0, .accessRecord(record)))
    }

    public func transcriptEntries() throws -> [Transcript.Entry] { try config.store.transcript() }

    /// The coordinator's store, for readers that need no actor state (the dashboard's audit).
    public nonisolated var stateStore: CoordinatorStore { config.store }

    /// Each brand's ε as the coordinator knows it: spent by its released rounds, and its total
    /// budget as its latest accepting decision implies it (what it had spent before that job
    /// plus the remaining budget it declared then; nil before any). Each brand's own ledger is
    /// the authority; this is the platform's view, for the dashboard and the API's pre-check.
    public func budgets() throws -> [String: (spent: Double, total: Double?)] {
        let ledger = try config.store.ledger()
        var spent: [String: Double] = [:], totals: [String: Double] = [:]
        // In registration order: a total is exact while jobs run one after another; with jobs
        // running at once it can be off by what a concurrently accepted job had reserved.
        for row in try config.store.jobs() {
            for (brand, budget) in try config.store.declaredBudgets(job: row.id) { totals[brand] = spent[brand, default: 0] + budget.epsilon }
            for entry in ledger where entry.job == row.id { spent[entry.participant, default: 0] += entry.epsilon }
        }
        return Dictionary(uniqueKeysWithValues: Set(spent.keys).union(totals.keys).map { ($0, (spent[$0] ?? 0, totals[$0])) })
    }

    /// Participants with an open session.
    public func connectedParticipants() -> [String] { sessions.keys.sorted() }

    /// The remaining budgets the participants declared with their latest decisions, and what
    /// the released rounds spent (the coordinator's view; each brand's own ledger is the authority).
    public func ledgerView() throws -> [(participant: String, job: String, round: Int, epsilon: Double, delta: Double)] {
        try config.store.ledger()
    }
}
