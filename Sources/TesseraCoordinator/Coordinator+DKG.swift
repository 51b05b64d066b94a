import Foundation
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// The coordinator's side of the federation's distributed key generation (protocol/README.md
/// §6.4): it relays, checks shapes, keeps the phases and the transcript, and learns nothing
/// secret (shares travel sealed to their holders). It runs once per epoch, before the epoch's
/// first one-shot job.
extension Coordinator {
    enum DKGPhase: String, CaseIterable {
        case waiting, deal, complain, justify, confirm, done, failed
        /// The relay that closes this phase: its messages, sent to every participant.
        var relay: (stored: String, name: String)? {
            switch self {
            case .deal: ("deal", "deals")
            case .complain: ("complain", "complaints")
            case .justify: ("justify", "justifications")
            case .confirm: ("confirm", "confirmations")
            default: nil
            }
        }
        var rank: Int { Self.allCases.firstIndex(of: self)! }
    }

    struct DKGRun {
        let parameters: DKGRules.Parameters
        var phase: DKGPhase
        var phaseStarted: Date
        /// When the DKG was first needed (the start waits for the holders until a timeout).
        var needed: Date
        var outcome: DKGRules.Outcome?
        var failure: String?
        /// When the holders were first asked to deal.
        var began: Date?
    }

    var epochData: Data { Data(federation.epoch) }

    /// Loads the epoch's DKG from the store (after a restart), recomputing its outcome once done.
    func loadDKG() throws {
        let parameters = DKGRules.Parameters(federation)
        guard let stored = try config.store.dkg(epoch: epochData) else { return }
        let phase = DKGPhase(rawValue: stored.phase) ?? .failed
        var run = DKGRun(parameters: parameters, phase: phase, phaseStarted: Date(), needed: stored.started)
        if phase == .confirm || phase == .done {
            run.outcome = try DKGRules.outcome(try dkgMessages(), parameters: parameters)
        }
        dkg = run
        log.info("DKG loaded", metadata: ["epoch": .string(parameters.epoch.hex), "phase": .string(phase.rawValue)])
        if phase != .done && phase != .failed { scheduleDKGDeadline() }
    }

    /// The current epoch's key, once the DKG is done.
    var federationKey: FederationKey? { dkg?.phase == .done ? dkg?.outcome?.key : nil }

    /// Marks the DKG as needed (a one-shot job waits for it) and starts it when it can.
    func requireFederationKey() async throws {
        if dkg == nil {
            dkg = DKGRun(parameters: DKGRules.Parameters(federation), phase: .waiting, phaseStarted: Date(), needed: Date())
            log.notice("the federation key of this epoch is needed; the DKG starts once the holders have connected",
                       metadata: ["epoch": .string(federation.epoch.hex), "holders": .string(federation.holders.joined(separator: ","))])
            scheduleDKGDeadline()
        }
        try await advanceDKG()
    }

    func dkgMessages() throws -> DKGRules.Messages {
        var messages = DKGRules.Messages()
        for (author, envelope) in try config.store.dkgMessages(epoch: epochData, phase: "deal") { messages.deals[author] = envelope }
        for (author, envelope) in try config.store.dkgMessages(epoch: epochData, phase: "complain") { messages.complaints[author] = envelope }
        for (author, envelope) in try config.store.dkgMessages(epoch: epochData, phase: "justify") { messages.justifications[author] = envelope }
        return messages
    }

    // MARK: - Messages

    /// A holder's DKG message: checked for epoch, phase, author and shape, stored with the
    /// sender's sequence, acknowledged; nothing is stored for a refused one.
    func handleDKG(_ body: Tessera_V1_Body, envelope: Data, from sender: String) async throws {
        guard let run = dkg else { throw ProtocolError(.unexpected, "no DKG is running: the federation key of this epoch is not needed yet") }
        let p = run.parameters
        func requirePhase(_ wanted: DKGPhase) throws {
            guard run.phase == wanted else {
                throw ProtocolError(run.phase.rank > wanted.rank ? .roundClosed : .wrongRound,
                                    "the DKG of epoch \(p.epoch.hex) is in its \(run.phase.rawValue) phase, not \(wanted.rawValue)")
            }
        }
        guard p.holders.contains(sender) else {
            throw ProtocolError(.unexpected, "\(sender) is not a holder of epoch \(p.epoch.hex): its \(body.kind) is refused")
        }
        let phase: String
        switch body.payload {
        case .dkgDeal(let deal):
            try requirePhase(.deal)
            _ = try DKGRules.commitments(of: deal, dealer: sender, parameters: p)
            phase = "deal"
        case .dkgComplaints(let complaints):
            try requirePhase(.complain)
            try checkEpoch(complaints.epoch, p)
            let dealers = Set(try config.store.dkgMessages(epoch: epochData, phase: "deal").map(\.author))
            if let unknown = complaints.complaints.first(where: { !dealers.contains($0.dealer) }) {
                throw ProtocolError(.malformed, "complaint about \(unknown.dealer), who did not deal in epoch \(p.epoch.hex)")
            }
            phase = "complain"
        case .dkgJustification(let justification):
            try requirePhase(.justify)
            try checkEpoch(justification.epoch, p)
            guard try accused().contains(sender) else { throw ProtocolError(.unexpected, "nobody complained about \(sender); it has nothing to justify") }
            phase = "justify"
        case .dkgConfirmation(let confirmation):
            try requirePhase(.confirm)
            try checkEpoch(confirmation.epoch, p)
            guard let outcome = run.outcome, outcome.qualified.contains(sender) else {
                throw ProtocolError(.unexpected, "\(sender) is not a qualified dealer of epoch \(p.epoch.hex); its confirmation does not count")
            }
            guard DKGRules.agrees(confirmation, with: outcome) else {
                throw ProtocolError(.refused, "the confirmation of \(sender) disagrees with the relayed DKG (qualified \(confirmation.qualified), digest \([UInt8](confirmation.digest).hex))")
            }
            phase = "confirm"
        default:
            throw ProtocolError(.unexpected, "\(body.kind) is not a DKG message a holder sends")
        }
        guard try config.store.recordDKGMessage(epoch: epochData, phase: phase, author: sender, sequence: body.sequence, envelope: envelope) else {
            throw ProtocolError(.duplicate, "\(sender) already sent its \(body.kind) of epoch \(p.epoch.hex)")
        }
        CrashPoint.reached("dkg-\(phase)-stored")
        config.metrics.increment("tessera_dkg_messages_total", labels: ["kind": body.kind])
        log.info("DKG message stored", metadata: ["holder": .string(sender), "kind": .string(body.kind)])

        try await send(to: sender, try outbox.status(.ok, "\(body.kind) stored", acking: body.sequence))
        try await advanceDKG()
    }

    func checkEpoch(_ epoch: Data, _ p: DKGRules.Parameters) throws {
        guard [UInt8](epoch) == p.epoch else { throw ProtocolError(.wrongJob, "message for epoch \([UInt8](epoch).hex), the current epoch is \(p.epoch.hex)") }
    }

    /// Dealers some holder complained about.
    func accused() throws -> Set<String> {
        var out = Set<String>()
        for (_, envelope) in try config.store.dkgMessages(epoch: epochData, phase: "complain") {
            guard case .dkgComplaints(let list) = try Self.body(of: envelope).payload else { continue }
            out.formUnion(list.complaints.map(\.dealer))
        }
        return out
    }

    static func body(of envelope: Data) throws -> Tessera_V1_Body {
        try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
    }

    // MARK: - Phases

    /// Moves the DKG on as far as its messages and deadlines allow.
    func advanceDKG() async throws {
        while let run = dkg, let next = try nextDKGPhase(run) {
            try await enter(next, from: run)
        }
    }

    /// The phase the DKG may move to now, if any.
    func nextDKGPhase(_ run: DKGRun) throws -> DKGPhase? {
        let p = run.parameters
        let timedOut = Date().timeIntervalSince(run.phaseStarted) >= config.roundTimeout
        let connected = p.holders.filter { sessions[$0] != nil }
        switch run.phase {
        case .waiting:
            let waited = Date().timeIntervalSince(run.needed) >= config.roundTimeout
            return connected.count == p.holders.count || (waited && connected.count >= p.threshold + 1) ? .deal : nil
        case .deal:
            let dealt = try config.store.dkgMessages(epoch: epochData, phase: "deal").count
            return dealt == p.holders.count || timedOut ? .complain : nil
        case .complain:
            let dealers = Set(try config.store.dkgMessages(epoch: epochData, phase: "deal").map(\.author))
            let complained = Set(try config.store.dkgMessages(epoch: epochData, phase: "complain").map(\.author))
            return dealers.isSubset(of: complained) || timedOut ? .justify : nil
        case .justify:
            let justified = Set(try config.store.dkgMessages(epoch: epochData, phase: "justify").map(\.author))
            return try accused().isSubset(of: justified) || timedOut ? .confirm : nil
        case .confirm:
            guard let outcome = run.outcome else { return .failed }
            let confirmed = Set(try config.store.dkgMessages(epoch: epochData, phase: "confirm").map(\.author))
            if Set(outcome.qualified).isSubset(of: confirmed) { return .done }
            if timedOut { return confirmed.count >= DKGRules.confirmationsNeeded(p) ? .done : .failed }
            return nil
        case .done, .failed:
            return nil
        }
    }

    /// Enters a phase: the closing phase's messages enter the transcript (by author), the
    /// new phase is stored in the same transaction, and everyone connected is told.
    func enter(_ phase: DKGPhase, from run: DKGRun) async throws {
        let p = run.parameters
        var next = run
        next.phase = phase
        next.phaseStarted = Date()
        func entries(_ stored: String, _ kind: String) throws -> [Transcript.Item] {
            try config.store.dkgMessages(epoch: epochData, phase: stored).map { Transcript.Item(author: $0.author, kind: kind, envelope: $0.envelope) }
        }
        switch phase {
        case .waiting:
            return
        case .deal:
            next.began = Date()
            let start = try records.seal(job: "", round: 0, .dkgStart(p.start))
            try config.store.startDKG(epoch: epochData, transcript: [Transcript.Item(author: FederationInfo.coordinatorID, kind: "dkg_start", envelope: start)])
        case .complain:
            try config.store.setDKGPhase(epoch: epochData, "complain", transcript: try entries("deal", "dkg_deal"))
        case .justify:
            try config.store.setDKGPhase(epoch: epochData, "justify", transcript: try entries("complain", "dkg_complaints"))
        case .confirm:
            do {
                next.outcome = try DKGRules.outcome(try dkgMessages(), parameters: p)
                try config.store.setDKGPhase(epoch: epochData, "confirm", transcript: try entries("justify", "dkg_justification"))
            } catch let error as ProtocolError {
                next.phase = .failed
                next.failure = error.message
                try config.store.setDKGPhase(epoch: epochData, "failed", transcript: try entries("justify", "dkg_justification"))
            }
        case .done:
            let outcome = run.outcome!
            let result = try records.seal(job: "", round: 0, .dkgResult(DKGRules.result(outcome, parameters: p)))
            try config.store.setDKGPhase(epoch: epochData, "done", transcript: try entries("confirm", "dkg_confirmation")
                                            + [Transcript.Item(author: FederationInfo.coordinatorID, kind: "dkg_result", envelope: result)])
        case .failed:
            next.failure = next.failure ?? "fewer than \(DKGRules.confirmationsNeeded(p)) qualified holders confirmed the DKG in time"
            try config.store.setDKGPhase(epoch: epochData, "failed", transcript: [])
        }
        dkg = next
        if phase == .deal {
            for id in sessions.keys.sorted() { try await send(to: id, try outbox.seal(job: "", round: 0, .dkgStart(p.start))) }
        } else if let closed = run.phase.relay, next.phase != .failed {
            for id in sessions.keys.sorted() { try await sendRelay(closed, to: id) }
        }
        switch next.phase {
        case .failed:
            config.metrics.increment("tessera_dkg_failures_total")
            log.error("DKG failed", metadata: ["epoch": .string(p.epoch.hex), "reason": .string(next.failure ?? "")])
            try await dkgEnded()
        case .done:
            let outcome = next.outcome!
            if let began = next.began {
                config.metrics.set("tessera_dkg_seconds", Date().timeIntervalSince(began))
            }
            log.notice("DKG done: federation key ready", metadata: [
                "epoch": .string(p.epoch.hex), "qualified": .string(outcome.qualified.joined(separator: ",")),
                "excluded": .string(outcome.excluded.map { "\($0.holder): \($0.reason)" }.joined(separator: "; "))])
            try await dkgEnded()
        default:
            log.info("DKG phase", metadata: ["epoch": .string(p.epoch.hex), "phase": .string(next.phase.rawValue)])
            scheduleDKGDeadline()
        }
    }

    func sendRelay(_ closed: (stored: String, name: String), to id: String) async throws {
        let envelopes = try config.store.dkgMessages(epoch: epochData, phase: closed.stored).map(\.envelope)
        try await send(to: id, try outbox.seal(job: "", round: 0, .dkgRelay(.with {
            $0.epoch = epochData
            $0.phase = closed.name
            $0.envelopes = envelopes
        })))
    }

    /// The DKG ended: jobs waiting for the key are registered now, or fail with its reason.
    func dkgEnded() async throws {
        let pending = try config.store.pendingDefinitions()
        guard !pending.isEmpty else { return }
        if federationKey == nil {
            for waiter in jobFinishedWaiters { waiter.resume() }
            jobFinishedWaiters = []
            return
        }
        try await advance()  // starts the queued jobs that waited for the key, as far as the cap allows
    }

    /// Why the DKG failed, if it did.
    public func dkgFailure() -> String? { dkg?.phase == .failed ? (dkg?.failure ?? "the DKG failed") : nil }

    func scheduleDKGDeadline() {
        guard let run = dkg else { return }
        let (phase, timeout) = (run.phase, config.roundTimeout)
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            await self?.dkgDeadline(phase: phase)
        }
    }

    func dkgDeadline(phase: DKGPhase) async {
        guard let run = dkg, run.phase == phase else { return }
        do { try await advanceDKG() } catch { log.error("DKG step after deadline failed", metadata: ["error": .string("\(error)")]) }
    }

    /// Everything a (re)connected participant needs to follow the DKG: the start, then each
    /// closed phase's messages as their authors signed them.
    func sendDKGState(to id: String) async throws {
        guard let run = dkg, run.phase != .waiting else { return }
        try await send(to: id, try outbox.seal(job: "", round: 0, .dkgStart(run.parameters.start)))
        let reached = run.phase == .failed ? DKGPhase.confirm.rank : run.phase.rank
        for phase in DKGPhase.allCases where phase.rank < reached {
            if let closed = phase.relay { try await sendRelay(closed, to: id) }
        }
    }
}
