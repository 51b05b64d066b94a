import Foundation
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// A job's rounds at the coordinator (protocol/README.md §4, "State machine of a job"):
/// decisions, submissions checked and stored through the job's scheme, the aggregate and its
/// decryption request, verified answers, the released result. Scheme-agnostic: the scheme
/// decides what a submission, an aggregate and an answer are.
extension Coordinator {
    // MARK: - Job lifecycle

    /// Loads the jobs in progress (and the epoch's DKG) from the store and registers
    /// `definition` as a new job unless it is stored already; it becomes the job that
    /// `waitUntilJobFinished` and the result accessors are about. A one-shot job needs the
    /// federation key: until the DKG has made it, the definition waits in the store and the
    /// DKG runs first.
    /// Without a definition (a restart), the first job in progress is that job, then the
    /// first still queued, then the last one stored; with none at all, the first job submitted
    /// through the API becomes it.
    public func start(job definition: JobDefinition?) async throws {
        if let definition { primaryJob = definition.id }
        try await register(definition)
        // Nothing in progress: the last job stored (a restart after it ended has nothing to wait for).
        if primaryJob == nil {
            primaryJob = try jobs.values.min { $0.order < $1.order }?.id ?? config.store.pendingDefinitions().first?.id ?? config.store.jobs().last?.id
        }
        // A restart may find a step already due (every submission stored, or enough verified
        // partial decryptions): take it now, not at the next message or deadline, since the
        // participants have nothing left to send that would trigger it.
        do { try await advance() } catch {
            log.error("resuming the stored jobs failed; they go on at the next message or deadline", metadata: ["error": .string("\(error)")])
        }
    }

    /// Registers `definition` (if new) and loads every active job not running yet.
    func register(_ definition: JobDefinition?) async throws {
        let store = config.store
        if dkg == nil { try loadDKG() }
        if let definition, try store.job(id: definition.id) == nil {
            if definition.scheme == OneShotScheme.name, federationKey == nil {
                // Refused now if it could never run, rather than after a DKG run for it.
                try definition.validateBeforeKey(federation: federation)
                try store.savePendingDefinition(id: definition.id, definition: try JSONEncoder().encode(definition))
                log.info("job waits for the federation key", metadata: ["job": .string(definition.id)])
                try await requireFederationKey()
                return
            }
            let spec = try definition.spec(federation: federation, federationKey: federationKey)
            try store.insertJob(id: definition.id, spec: try spec.serializedData(),
                                specEnvelope: try records.seal(job: definition.id, round: 0, .jobSpec(spec)))
        }
        let active = try store.jobs().filter { $0.status == "active" && jobs[$0.id] == nil }
        if active.isEmpty, jobs.isEmpty {
            if try !store.pendingDefinitions().isEmpty {
                log.info("a job waits for the federation key")
                try await requireFederationKey()
            } else if definition == nil {
                log.info("no job to run; waiting for participants only")
            }
        }
        for row in active { try await load(row) }
    }

    func load(_ row: CoordinatorStore.JobRow) async throws {
        let spec = try Tessera_V1_JobSpec(serializedBytes: row.spec)
        let scheme = try SchemeRules.scheme(for: spec, federation: federation, keys: SchemeKeys(federationKeys: federationKey.map { [$0] } ?? []))
        registrations += 1
        var active = ActiveJob(id: row.id, order: registrations, spec: spec, scheme: scheme, round: 1, phase: .collecting)
        if let latest = try config.store.latestRound(job: row.id) {
            active.round = latest.round
            active.unresponsive = try config.store.unresponsive(job: row.id)
            active.phase = Phase(rawValue: latest.status) ?? .collecting
        }
        jobs[row.id] = active
        holds[row.id] = try config.store.openHolds(job: row.id)
        for deadline in holds[row.id]!.values { advance(at: deadline) }
        log.info("job loaded", metadata: ["job": .string(row.id), "scheme": .string(scheme.name), "round": .stringConvertible(active.round),
                                          "phase": .string(active.phase.rawValue),
                                          "presumed_gone": .string(active.unresponsive.sorted().joined(separator: ","))])
        if active.phase == .decrypting {
            try await rebuildAggregate(row.id)
            try await reloadPartials(row.id)
        }
        scheduleDeadline(row.id)
    }

    /// Suspends until the job of `start(job:)` has ended (or the DKG it needs has failed).
    public func waitUntilJobFinished() async {
        if (try? primaryStatus()).map({ $0 != "active" }) ?? false { return }
        if dkgFailure() != nil { return }
        await withCheckedContinuation { jobFinishedWaiters.append($0) }
    }

    /// Waits until every participant that accepted the job of `start(job:)` has confirmed it
    /// has the job's end (a receipt: protocol/README §4), or until `timeout`; returns those
    /// that have not, sorted. Nothing to wait for while the job has not ended.
    public func awaitReceipts(timeout: Duration) async -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let missing = (try? missingReceipts()) ?? []
            if missing.isEmpty || ContinuousClock.now >= deadline { return missing }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func missingReceipts() throws -> [String] {
        guard let primaryJob, let row = try config.store.job(id: primaryJob), row.status != "active" else { return [] }
        let accepted = try config.store.decisions(job: primaryJob).filter(\.value.accept).keys
        return Set(accepted).subtracting(try config.store.receipts(job: primaryJob)).sorted()
    }

    /// A participant's receipt for the end of `job`: kept only for an ended job that lists it.
    func receipt(job: String, from sender: String) throws {
        guard !job.isEmpty, let row = try config.store.job(id: job), row.status != "active",
              try Tessera_V1_JobSpec(serializedBytes: row.spec).participants.contains(sender) else { return }
        try config.store.recordReceipt(job: job, participant: sender)
        log.info("participant has the job's end", metadata: ["participant": .string(sender), "job": .string(job)])
    }

    /// The stored status of the job of `start(job:)`; nil while it is queued or if there is none.
    func primaryStatus() throws -> String? {
        guard let primaryJob else { return nil }
        return try config.store.job(id: primaryJob)?.status
    }

    /// True when the job ended because too many participants refused it.
    public func jobWasRefused() throws -> Bool { try primaryStatus() == "refused" }

    public func currentResult() throws -> (sums: [Int64], contributors: [String])? {
        guard let primaryJob, let spec = try jobSpec(primaryJob) else { return nil }
        return try config.store.result(job: primaryJob, round: Int(spec.rounds))
    }

    /// A job has ended (`status` is stored): it stops running, its participants are told, and
    /// whoever waits for it is woken.
    func ended(_ id: String, status: String, reason: String) async throws {
        guard let job = jobs.removeValue(forKey: id) else { return }
        for participant in job.spec.participants where sessions[participant] != nil {
            try await send(to: participant, try outbox.seal(job: id, round: 0, .jobEnded(.with { $0.status = status; $0.reason = reason })))
        }
        if id == primaryJob {
            for waiter in jobFinishedWaiters { waiter.resume() }
            jobFinishedWaiters = []
        }
    }

    /// Answers a participant's list of jobs it believes open with the end of each that ended.
    func announceEnded(_ open: [String], to participant: String) async throws {
        for id in open where jobs[id] == nil {
            guard let row = try config.store.job(id: id), row.status != "active" else { continue }
            if row.status == "done", let spec = try jobSpec(id), let result = try config.store.result(job: id, round: Int(spec.rounds)) {
                let payload = Tessera_V1_Body.OneOf_Payload.roundResult(.with { $0.sums = result.sums; $0.contributors = result.contributors })
                try await send(to: participant, try outbox.seal(job: id, round: Int(spec.rounds), payload))
            }
            try await send(to: participant, try outbox.seal(job: id, round: 0, .jobEnded(.with { $0.status = row.status; $0.reason = "ended while \(participant) was away" })))
        }
    }

    // MARK: - Messages of a job

    func requireJob(_ body: Tessera_V1_Body, from sender: String) throws -> ActiveJob {
        if let job = jobs[body.jobID] { return job }
        guard let row = try config.store.job(id: body.jobID) else {
            throw ProtocolError(.wrongJob, "no job \(body.jobID.debugDescription) is running")
        }
        if case .submission = body.payload, try config.store.hasSubmission(job: row.id, round: Int(body.round), participant: sender) {
            throw ProtocolError(.duplicate, "\(sender) already submitted for round \(body.round) of job \(row.id)")
        }
        throw ProtocolError(.roundClosed, "round \(body.round) of job \(row.id) is closed: the job has ended (\(row.status))")
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
        let job = try requireJob(body, from: sender)
        guard job.spec.participants.contains(sender) else { throw ProtocolError(.unexpected, "\(sender) is not listed in job \(job.id)") }
        let opened = try config.store.latestRound(job: job.id) != nil
        if decision.held {
            // Not a decision yet: the brand waits for its steward (through the job API).
            guard try config.store.decisions(job: job.id)[sender] == nil else {
                throw ProtocolError(.duplicate, "\(sender) already decided on job \(job.id); it cannot hold it now")
            }
            try config.store.recordHold(job: job.id, participant: sender, deadline: decision.holdDeadline, sequence: body.sequence, envelope: envelope)
            holds[job.id, default: [:]][sender] = decision.holdDeadline
            log.info("job held for the brand's steward", metadata: ["participant": .string(sender), "job": .string(job.id)])
            advance(at: decision.holdDeadline)  // look again when the hold expires
            return
        }
        holds[job.id]?[sender] = nil
        if opened, try config.store.decisions(job: job.id)[sender] != nil {
            throw ProtocolError(.duplicate, "\(sender) already decided on job \(job.id); a decision cannot change once the job has started")
        }
        try config.store.recordDecision(job: job.id, participant: sender, accept: decision.accept, reason: decision.reason, sequence: body.sequence,
                                        remaining: (decision.remainingEpsilon, decision.remainingDelta), envelope: envelope, transcribe: opened)
        log.info("job decision", metadata: ["participant": .string(sender), "accept": .stringConvertible(decision.accept), "reason": .string(decision.reason)])
        if decision.accept { config.metrics.set("tessera_remaining_epsilon", labels: ["participant": sender], decision.remainingEpsilon) }
    }

    /// Steps the jobs again just after `deadline` (unix seconds).
    func advance(at deadline: Double) {
        let wait = max(0, deadline - Date().timeIntervalSince1970) + 0.05
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(wait))
            try? await self?.advance()
        }
    }

    /// The checks a submission must pass before and after its (slow) cryptographic check.
    func admitSubmission(_ body: Tessera_V1_Body, of job: ActiveJob, from sender: String) throws {
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
    }

    func handleSubmission(_ submission: Tessera_V1_Submission, body: Tessera_V1_Body, envelope: Data, from sender: String) async throws {
        let job = try requireJob(body, from: sender)
        try admitSubmission(body, of: job, from: sender)
        // The scheme's check (encodings, proofs) runs off the actor; the round may move meanwhile.
        try await job.scheme.check(submission, from: sender, context: job.context(federation, config.parallelism))
        let current = try requireJob(body, from: sender)
        try admitSubmission(body, of: current, from: sender)
        guard try config.store.recordSubmission(job: current.id, round: current.round, participant: sender, sequence: body.sequence, envelope: envelope) else {
            throw ProtocolError(.duplicate, "\(sender) already submitted for round \(current.round) of job \(current.id)")
        }
        CrashPoint.reached("submission-stored")
        let count = try config.store.submitters(job: current.id, round: current.round).count
        CrashPoint.reached("last-submission-stored", if: { count == current.spec.participants.count })
        config.metrics.increment("tessera_submissions_total")
        config.metrics.increment("tessera_submission_bytes_total", labels: ["participant": sender], by: Double(envelope.count))
        log.info("submission stored", metadata: ["participant": .string(sender), "round": .stringConvertible(current.round),
                                                 "count": .stringConvertible(count)])
    }

    func handlePartials(_ message: Tessera_V1_PartialDecryptions, body: Tessera_V1_Body, envelope: Data, from sender: String) async throws {
        let job = try requireJob(body, from: sender)
        try requireRound(body, phase: .decrypting, of: job)
        guard let pending = job.pending else { throw ProtocolError(.wrongRound, "round \(body.round) has no aggregate yet") }
        guard job.scheme.holders.contains(sender) else {
            throw ProtocolError(.invalidProof, "\(sender) holds no share of job \(job.id)'s \(job.scheme.name) key")
        }
        let verified = try await pending.verify(message, from: sender, context: job.context(federation, config.parallelism))
        guard var current = jobs[job.id], current.round == job.round, current.phase == .decrypting, !current.finished else {
            try requireRound(body, phase: .decrypting, of: try requireJob(body, from: sender))
            return
        }
        try config.store.recordPartials(job: current.id, round: current.round, holder: sender, sequence: body.sequence, envelope: envelope)
        CrashPoint.reached("partials-stored")
        try CrashPoint.reached("threshold-partials-stored", if: { try config.store.partials(job: current.id, round: current.round).count >= current.scheme.threshold })
        current.verified[sender] = verified
        jobs[job.id] = current
        log.info("partial decryptions verified", metadata: ["holder": .string(sender), "round": .stringConvertible(current.round)])
    }

    // MARK: - State machine

    /// Moves every running job forward as far as the stored state allows, one step at a time,
    /// in registration order, and starts queued jobs as running ones end. A job whose step
    /// fails does not hold the others back; the first failure is rethrown after all stepped.
    func advance() async throws {
        if advancing { advanceAgain = true; return }
        advancing = true
        defer { advancing = false }
        repeat {
            advanceAgain = false
            var failure: (any Error)?
            for id in jobs.values.sorted(by: { $0.order < $1.order }).map(\.id) {
                do { try await step(id) } catch {
                    log.error("job step failed", metadata: ["job": .string(id), "error": .string("\(error)")])
                    failure = failure ?? error
                }
            }
            // A job ended: the next queued ones (submitted through the job API) start.
            if try await startQueued() { advanceAgain = true }
            if let failure { throw failure }
        } while advanceAgain
    }

    private func step(_ id: String) async throws {
        guard var job = jobs[id], !job.finished else { return }
        let store = config.store
        let decisions = try store.decisions(job: job.id)
        let accepted = job.spec.participants.filter { decisions[$0]?.accept == true }
        if try store.latestRound(job: job.id) == nil {
            // A brand whose hold for its steward has expired counts as refusing (its policy
            // refuses any later steward decision).
            let now = Date().timeIntervalSince1970
            let expired = Set((holds[job.id] ?? [:]).filter { $0.value <= now }.keys)
            let refusals = job.spec.participants.filter { decisions[$0]?.accept == false || (decisions[$0] == nil && expired.contains($0)) }
            let everyoneDecided = job.spec.participants.allSatisfy { decisions[$0] != nil || expired.contains($0) }
            let timedOut = Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout
            // A job too many refuse ends once everyone has decided (or at the timeout), and its
            // decisions enter the transcript, so auditors see who refused and why.
            if job.spec.participants.count - refusals.count < Int(job.spec.minParticipants), everyoneDecided || timedOut {
                log.error("job cannot run: too many refusals", metadata: ["job": .string(job.id), "refused": .string(refusals.joined(separator: ","))])
                job.finished = true
                job.phase = .done
                jobs[id] = job
                try store.setJobStatus(job.id, "refused", transcript: try decisionRecords(job.id))
                try await ended(id, status: "refused", reason: "refused by \(refusals.joined(separator: ", "))")
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
            job.roundStarted = Date()
            jobs[id] = job
            log.info("round opened", metadata: ["job": .string(job.id), "round": .stringConvertible(job.round), "participants": .string(accepted.joined(separator: ","))])
            scheduleDeadline(id)
            for participant in accepted { try await sendRoundOpen(to: participant, job: id) }
            return
        }
        switch job.phase {
        case .collecting:
            let submitted = try store.submitters(job: job.id, round: job.round)
            // Wait for every listed participant that has not refused and is not presumed gone,
            // until the round timeout.
            let awaited = job.spec.participants.filter { decisions[$0]?.accept != false && !job.unresponsive.contains($0) }
            let everyone = Set(awaited).isSubset(of: Set(submitted))
            let deadlinePassed = Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout
            guard submitted.count >= Int(job.spec.minParticipants), everyone || deadlinePassed else { return }
            let collected = Date().timeIntervalSince(job.phaseStarted)
            config.metrics.set("tessera_phase_seconds", labels: ["phase": "collect"], collected)
            config.metrics.increment("tessera_phase_seconds_total", labels: ["phase": "collect"], by: collected)
            config.metrics.observe("tessera_phase_duration_seconds", labels: ["phase": "collect"], seconds: collected)
            try await rebuildAggregate(id)
            guard let current = jobs[id], current.round == job.round, current.phase == .collecting,
                  let pending = current.pending else { return }
            var items: [Transcript.Item] = []
            try store.forEachSubmission(job: job.id, round: job.round) { participant, envelope in
                let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
                items.append(Transcript.Item(author: participant, kind: "submission",
                                             envelope: try current.scheme.transcribed(envelope, submission: body.submission)))
            }
            items.append(Transcript.Item(author: FederationInfo.coordinatorID, kind: "aggregate",
                                         envelope: try records.seal(job: job.id, round: job.round, .decryptionRequest(pending.request.transcriptRecord))))
            try store.setRoundStatus(job: job.id, round: job.round, "decrypting", transcript: items)
            jobs[id]!.phase = .decrypting
            jobs[id]!.phaseStarted = Date()
            scheduleDeadline(id)
            log.info("aggregate computed; requesting decryption", metadata: ["job": .string(id), "round": .stringConvertible(job.round), "contributors": .string(pending.contributors.joined(separator: ","))])
            for holder in jobs[id]!.requested.sorted() { try await sendDecryptionRequest(to: holder, job: id) }
        case .decrypting:
            guard job.verified.count >= job.scheme.threshold else { return }
            if config.waitForAllHolders {
                let all = job.requested.subtracting(job.unresponsive).isSubset(of: Set(job.verified.keys))
                guard all || Date().timeIntervalSince(job.phaseStarted) >= config.roundTimeout else { return }
            }
            try await finishRound(id)
        case .done:
            return
        }
    }

    /// Holders that may be asked for this round, in the order they are asked: contributors
    /// first (by id), then other holders who accepted the job; none presumed gone.
    func candidateHolders(_ job: ActiveJob) throws -> (contributing: [String], others: [String]) {
        let holders = Set(job.scheme.holders)
        let decisions = try config.store.decisions(job: job.id)
        let contributing = job.contributors.filter { holders.contains($0) && !job.unresponsive.contains($0) }
        let others = job.spec.participants.filter {
            holders.contains($0) && decisions[$0]?.accept == true && !job.contributors.contains($0) && !job.unresponsive.contains($0)
        }
        return (contributing, others)
    }

    /// Every holder that is asked once the first ones missed the timeout: all contributing
    /// holders, and others only as far as needed to reach the threshold.
    func widenedHolders(_ job: ActiveJob) throws -> Set<String> {
        let (contributing, others) = try candidateHolders(job)
        return Set(contributing + others.prefix(max(0, job.scheme.threshold - contributing.count)))
    }

    func rebuildAggregate(_ id: String) async throws {
        guard let job = jobs[id] else { return }
        let start = Date()
        var submissions: [(participant: String, submission: Tessera_V1_Submission)] = []
        try config.store.forEachSubmission(job: job.id, round: job.round) { participant, envelope in
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
            guard case .submission(let submission) = body.payload else { throw StateError.inconsistent("stored submission is not one") }
            submissions.append((participant, submission))
        }
        let pending = try await job.scheme.aggregate(submissions, context: job.context(federation, config.parallelism))
        config.metrics.set("tessera_phase_seconds", labels: ["phase": "aggregate"], Date().timeIntervalSince(start))
        config.metrics.increment("tessera_phase_seconds_total", labels: ["phase": "aggregate"], by: Date().timeIntervalSince(start))
        config.metrics.observe("tessera_phase_duration_seconds", labels: ["phase": "aggregate"], seconds: Date().timeIntervalSince(start))
        guard var current = jobs[id], current.round == job.round else { return }
        current.pending = pending
        let (contributing, others) = try candidateHolders(current)
        current.requested = Set((contributing + others).prefix(current.scheme.threshold))
        jobs[id] = current
    }

    func reloadPartials(_ id: String) async throws {
        guard let job = jobs[id], let pending = job.pending else { return }
        var verified: [String: VerifiedAnswer] = [:]
        for (holder, envelope) in try config.store.partials(job: job.id, round: job.round) {
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
            guard case .partialDecryptions(let message) = body.payload else { continue }
            verified[holder] = try? await pending.verify(message, from: holder, context: job.context(federation, config.parallelism))
        }
        guard var current = jobs[id], current.round == job.round else { return }
        current.verified.merge(verified) { a, _ in a }
        jobs[id] = current
    }

    func finishRound(_ id: String) async throws {
        guard let snapshot = jobs[id], snapshot.phase == .decrypting, !snapshot.finished, let pending = snapshot.pending else { return }
        let holders = snapshot.verified.keys.sorted().prefix(snapshot.scheme.threshold)
        let sums: [Int64]
        do {
            sums = try await pending.release(holders.map { snapshot.verified[$0]! }, context: snapshot.context(federation, config.parallelism))
        } catch {
            try await refuseRound(snapshot, reason: (error as? ProtocolError)?.message ?? "\(error)")
            return
        }
        // Record and move the state machine on before any further await, so that no
        // concurrent handler (another holder's late partials) can release the round twice.
        guard var job = jobs[id], job.round == snapshot.round, job.phase == .decrypting, !job.finished else { return }
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
        config.metrics.observe("tessera_phase_duration_seconds", labels: ["phase": "decrypt"], seconds: Date().timeIntervalSince(job.phaseStarted))
        config.metrics.increment("tessera_rounds_completed_total")
        config.metrics.set("tessera_round_seconds", Date().timeIntervalSince(job.roundStarted))
        log.info("round result released", metadata: ["job": .string(job.id), "round": .stringConvertible(released),
                                                     "values": .stringConvertible(sums.count), "contributors": .string(contributors.joined(separator: ","))])
        let nextRound = released < Int(job.spec.rounds)
        try markUnresponsive(Set(job.spec.participants).subtracting(contributors), in: &job)
        if nextRound {
            job.round += 1
            job.phase = .collecting
            job.phaseStarted = Date()
            job.roundStarted = Date()
            job.pending = nil
            job.verified = [:]
            job.requested = []
            try config.store.openRound(job: job.id, round: job.round)
        } else {
            job.phase = .done
            job.finished = true
            try config.store.setJobStatus(job.id, "done")
            log.info("job finished", metadata: ["job": .string(job.id)])
        }
        jobs[id] = job

        for participant in sessions.keys.sorted() { try await send(to: participant, try outbox.seal(job: job.id, round: released, result)) }
        if nextRound {
            scheduleDeadline(id)
            let decisions = try config.store.decisions(job: job.id)
            for participant in job.spec.participants where decisions[participant]?.accept == true { try await sendRoundOpen(to: participant, job: id) }
        } else {
            try await ended(id, status: "done", reason: "its last round was released")
        }
    }

    /// A round whose verified answers do not decode (a contribution inconsistent with its key
    /// layer, or out of its bounds) is not released: the verified answers and a signed
    /// `round_refused` record with the reason enter the transcript, the job ends as failed, and
    /// nothing is spent. The auditor recomputes the decoding and checks that it fails.
    func refuseRound(_ snapshot: ActiveJob, reason: String) async throws {
        guard var job = jobs[snapshot.id], job.round == snapshot.round, job.phase == .decrypting, !job.finished else { return }
        log.error("aggregate does not decode: round refused", metadata: ["job": .string(job.id), "round": .stringConvertible(job.round), "reason": .string(reason)])
        config.metrics.increment("tessera_rounds_refused_total")
        let verifiedHolders = Set(job.verified.keys)
        var items = try config.store.partials(job: job.id, round: job.round).filter { verifiedHolders.contains($0.holder) }
            .map { Transcript.Item(author: $0.holder, kind: "partial_decryptions", envelope: $0.envelope) }
        let record = Tessera_V1_Status.with { $0.code = .refused; $0.message = reason }
        items.append(Transcript.Item(author: FederationInfo.coordinatorID, kind: "round_refused",
                                     envelope: try records.seal(job: job.id, round: job.round, .status(record))))
        try config.store.setJobStatus(job.id, "failed", transcript: items)
        job.phase = .done
        job.finished = true
        jobs[job.id] = job
        try await ended(job.id, status: "failed", reason: reason)
    }

    /// Why the job of `start(job:)` failed, if a round of it was refused.
    public func jobFailure() throws -> String? {
        guard let primaryJob, try primaryStatus() == "failed" else { return nil }
        return "a round of job \(primaryJob) was refused: its aggregate did not decode"
    }

    /// The job's recorded decisions as transcript entries, in participant order: final ones,
    /// and for a brand that held the job for its steward and has not decided since, its signed
    /// hold with the deadline (so a hold that expired is the brand's own word in the transcript).
    func decisionRecords(_ job: String) throws -> [Transcript.Item] {
        let final = try config.store.decisionEnvelopes(job: job), held = try config.store.openHoldEnvelopes(job: job)
        return (final + held).sorted { $0.participant < $1.participant }
            .map { Transcript.Item(author: $0.participant, kind: "job_decision", envelope: $0.envelope) }
    }

    /// Presumes `participants` gone for the rest of the job, durably first.
    func markUnresponsive(_ participants: Set<String>, in job: inout ActiveJob) throws {
        guard !participants.isSubset(of: job.unresponsive) else { return }
        try config.store.markUnresponsive(job: job.id, participants: participants)
        job.unresponsive.formUnion(participants)
    }

    /// Re-examines the current phase once the round timeout has passed in it.
    func scheduleDeadline(_ id: String) {
        guard let job = jobs[id] else { return }
        let (id, round, phase, timeout) = (job.id, job.round, job.phase, config.roundTimeout)
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            await self?.deadline(job: id, round: round, phase: phase)
        }
    }

    func deadline(job id: String, round: Int, phase: Phase) async {
        guard var job = jobs[id], job.round == round, job.phase == phase, phase != .done else { return }
        // Requested holders missing at the timeout: ask the other candidates too, and wait one
        // more timeout for them (unless t have already answered and will be combined). The
        // requested set may hold fewer than t when holders are presumed gone; it is widened
        // then even though all of it answered.
        let answered = Set(job.verified.keys)
        if phase == .decrypting, answered.count < job.scheme.threshold {
            do {
                let widened = try widenedHolders(job).union(job.requested)
                if widened != job.requested {
                    try markUnresponsive(job.requested.subtracting(answered), in: &job)
                    job.requested = widened
                    job.phaseStarted = Date()
                    jobs[id] = job
                    log.warning("requested holders did not all answer in time; asking every contributor",
                                metadata: ["job": .string(id), "asked": .string(widened.subtracting(answered).sorted().joined(separator: ","))])
                    CrashPoint.reached("unresponsive-stored")
                    scheduleDeadline(id)
                    for holder in widened.subtracting(answered).sorted() { try await sendDecryptionRequest(to: holder, job: id) }
                    return
                }
            } catch {
                log.error("could not widen the decryption request", metadata: ["error": .string("\(error)")])
            }
        }
        do { try await advance() } catch { log.error("advance after deadline failed", metadata: ["error": .string("\(error)")]) }
    }

    /// Brings a (re)connected participant up to date with every running job.
    func catchUp(_ participant: String) async throws {
        for job in jobs.values.sorted(by: { $0.order < $1.order }) where !job.finished && job.spec.participants.contains(participant) {
            guard let decision = try config.store.decisions(job: job.id)[participant] else {
                try await send(to: participant, try outbox.seal(job: job.id, round: 0, .jobSpec(job.spec)))
                continue
            }
            guard decision.accept, try config.store.latestRound(job: job.id) != nil else { continue }
            switch job.phase {
            case .collecting:
                if try !config.store.submitters(job: job.id, round: job.round).contains(participant) { try await sendRoundOpen(to: participant, job: job.id) }
            case .decrypting:
                if job.verified[participant] == nil { try await sendDecryptionRequest(to: participant, job: job.id) }
            case .done:
                break
            }
        }
    }

    func sendRoundOpen(to participant: String, job id: String) async throws {
        guard let job = jobs[id] else { return }
        try await send(to: participant, try outbox.seal(job: job.id, round: job.round, .roundOpen(.init())))
    }

    /// Asks a holder to decrypt the round's key aggregate. A request too large for one frame goes
    /// in parts, streamed: each part is sealed only once the holder's connection has at most two
    /// parts' bytes unwritten, so the coordinator holds about three parts per holder, not every
    /// holder's whole request (at 1,000 contributors, ~49 MB each). Every part again after a
    /// reconnect: the holder starts over at part 0.
    func sendDecryptionRequest(to participant: String, job id: String) async throws {
        guard let job = jobs[id], job.phase == .decrypting, job.requested.contains(participant), job.verified[participant] == nil,
              let pending = job.pending, let link = sessions[participant] else { return }
        let parts = DecryptionRequestParts.split(pending.request, partBytes: config.decryptionRequestPartBytes)
        config.metrics.increment("tessera_decryption_request_parts_total", by: Double(parts.count))
        let key = "\(participant)/\(id)", stream = UUID()
        requestStreams[key] = stream
        deliver(try outbox.seal(job: job.id, round: job.round, .decryptionRequest(parts[0])), on: link, to: participant)
        guard parts.count > 1 else { requestStreams[key] = nil; return }
        // Room for two parts: the next is sealed while the one before it is being written.
        let room = 2 * config.decryptionRequestPartBytes
        Task {
            for part in parts.dropFirst() {
                guard await link.outgoing.waitForRoom(unwrittenAtMost: room) else { break }  // the connection is closing
                guard await self.streamPart(part, stream: stream, key: key, to: participant, on: link, job: id) else { return }
            }
            await self.endStream(stream, key: key)
        }
    }

    /// The next part of a streamed request, unless the stream was superseded, the holder
    /// reconnected (the new session gets the request from part 0) or no longer needs it.
    func streamPart(_ part: Tessera_V1_DecryptionRequest, stream: UUID, key: String, to participant: String, on link: Link, job id: String) -> Bool {
        guard requestStreams[key] == stream, sessions[participant]?.id == link.id,
              let job = jobs[id], job.phase == .decrypting, job.verified[participant] == nil else {
            endStream(stream, key: key)
            return false
        }
        do {
            deliver(try outbox.seal(job: job.id, round: job.round, .decryptionRequest(part)), on: link, to: participant)
            return true
        } catch {
            log.error("could not seal a decryption request part", metadata: ["participant": .string(participant), "error": .string("\(error)")])
            endStream(stream, key: key)
            return false
        }
    }

    func endStream(_ stream: UUID, key: String) {
        if requestStreams[key] == stream { requestStreams[key] = nil }
    }
}
