import Foundation
import TesseraCrypto
import TesseraGroup
import TesseraProtocol
import TesseraSchemes

/// A participant's side of the federation's distributed key generation (protocol/README.md
/// §6.4; rules in `DKGRules`). A holder deals once per epoch (its dealing is stored before its
/// deal is sent, so a restart re-sends the same one), checks the shares sealed to it, complains,
/// justifies, and confirms what it computed; every participant keeps the key once enough
/// qualified holders have confirmed the same DKG.
extension Participant {
    var dkgParameters: DKGRules.Parameters { DKGRules.Parameters(federation) }
    var isHolder: Bool { federation.holders.contains(config.id) }
    /// Simulations only: this node's DKG fault from its --faults file, if any.
    var dkgFault: Fault? { config.faults.first { $0.isDKG } }

    func requireSealingKey() throws -> SealingPrivateKey {
        guard let key = config.sealingKey else { throw ProtocolError(.refused, "this participant has no sealing key; it cannot take part in the DKG") }
        return key
    }

    /// A DKG message this node sends in a phase: made once, stored before it is sent, and
    /// re-sealed (with a new sequence number) whenever it must be sent again.
    func dkgMessage(_ phase: String, _ make: () throws -> Tessera_V1_Body.OneOf_Payload) throws -> Data {
        let epoch = Data(dkgParameters.epoch)
        let payload = try config.store.dkgSent(epoch: epoch, phase: phase) {
            try Tessera_V1_Body.with { $0.payload = try make() }.serializedData()
        }
        guard let stored = try Tessera_V1_Body(serializedBytes: payload).payload else { throw ProtocolError(.internal, "stored DKG \(phase) is empty") }
        return try outbox.seal(job: "", round: 0, stored)
    }

    func handleDKGStart(_ start: Tessera_V1_DkgStart) throws -> [Data] {
        let p = dkgParameters
        try p.check(start)
        guard isHolder else { return [] }
        if try config.store.federationKey(epoch: Data(p.epoch)) != nil { return [] }
        let sealingKey = try requireSealingKey()
        let epochHex = p.epoch.hex
        // The dealing is stored first (its own transaction), then the deal made from it.
        let stored = try config.store.dealing(epoch: Data(p.epoch)) {
            var rng = randomness.stream("dkg/\(epochHex)/dealing")
            return Data(try Dealing.create(threshold: p.threshold, holders: p.holders.count, keys: p.keys, using: &rng).serialized)
        }
        let dealing = try Dealing(serialized: [UInt8](stored))
        let fault = dkgFault
        let envelope = try dkgMessage("deal") {
            var deal = try DKGRules.deal(dealing, dealer: config.id, parameters: p, federation: federation, sealingKey: sealingKey,
                                         randomness: randomness.scoped("dkg/\(epochHex)/deal"))
            // Simulations only (`dkg-bad-share`, `dkg-false-justification`, from the --faults
            // file): the target's box holds its share of another dealing, which does not match
            // this deal's commitments (stored with the deal, so a restart re-sends the same).
            if let fault, let target = fault.target, let j = deal.shares.firstIndex(where: { $0.recipient == target }) {
                var rng = randomness.stream("dkg/\(epochHex)/fault-dealing")
                let other = try Dealing.create(threshold: p.threshold, holders: p.holders.count, keys: p.keys, using: &rng)
                deal.shares[j] = try DKGRules.deal(other, dealer: config.id, parameters: p, federation: federation, sealingKey: sealingKey,
                                                   randomness: randomness.scoped("dkg/\(epochHex)/fault-deal")).shares[j]
                log.notice("fault injected: sealing a share inconsistent with the commitments", metadata: ["fault": .string(fault.description)])
            }
            return .dkgDeal(deal)
        }
        FaultInjection.crash(at: "dkg-deal-stored")
        log.info("DKG: deal sent", metadata: ["epoch": .string(epochHex)])
        return [envelope]
    }

    /// The relayed messages of a phase, each checked: signed by a holder of this epoch, of the
    /// phase's kind, one per author.
    func verifiedRelay(_ relay: Tessera_V1_DkgRelay) throws -> [(author: String, envelope: Data, body: Tessera_V1_Body)] {
        let p = dkgParameters
        guard [UInt8](relay.epoch) == p.epoch else {
            throw ProtocolError(.wrongJob, "relay for epoch \([UInt8](relay.epoch).hex); this node's epoch is \(p.epoch.hex)")
        }
        var out: [(String, Data, Tessera_V1_Body)] = []
        for envelope in relay.envelopes {
            var claimed = ""
            let body: Tessera_V1_Body
            do {
                body = try SignedEnvelope.open(try Tessera_V1_Envelope.parse(envelope)) { sender in
                    claimed = sender
                    return p.holders.contains(sender) ? federation.participants[sender]?.signingKey : nil
                }
            } catch let error as ProtocolError where error.code == .identityMismatch {
                // No key for the claimed author: it is not a holder (there is no peer to mismatch in a relay).
                throw ProtocolError(.unexpected, "relay of \(relay.phase) carries a message from \(claimed.debugDescription), who is not a holder of epoch \(p.epoch.hex)")
            }
            let kind: String
            switch (relay.phase, body.payload) {
            case ("deals", .dkgDeal(let deal)):
                _ = try DKGRules.commitments(of: deal, dealer: body.sender, parameters: p)
                kind = "deal"
            case ("complaints", .dkgComplaints): kind = "complaints"
            case ("justifications", .dkgJustification): kind = "justification"
            case ("confirmations", .dkgConfirmation): kind = "confirmation"
            default:
                throw ProtocolError(.malformed, "relay of \(relay.phase) carries a \(body.kind) from \(body.sender)")
            }
            guard body.federation == federation.name, !out.contains(where: { $0.0 == body.sender }) else {
                throw ProtocolError(.malformed, "relay of \(relay.phase) carries a second \(kind) of \(body.sender), or one of another federation")
            }
            out.append((body.sender, envelope, body))
        }
        return out
    }

    func handleDKGRelay(_ relay: Tessera_V1_DkgRelay) throws -> [Data] {
        let p = dkgParameters
        let epoch = Data(p.epoch)
        if try config.store.federationKey(epoch: epoch) != nil { return [] }
        // A phase is acted on only after the one before it: a holder that confirmed without
        // the complaints, say, would confirm another DKG than the others, and for good (a
        // confirmation is made once). The coordinator re-sends every closed phase, in order,
        // on the next connection.
        let phases = ["deals", "complaints", "justifications", "confirmations"]
        if let i = phases.firstIndex(of: relay.phase), i > 0, try !config.store.hasDKGRelay(epoch: epoch, phase: phases[i - 1]) {
            throw ProtocolError(.unexpected, "relay of \(relay.phase) before the relay of \(phases[i - 1]): this node acts only on a DKG it has seen in order")
        }
        let messages = try verifiedRelay(relay)
        _ = try config.store.recordDKGRelay(epoch: epoch, phase: relay.phase, messages: messages.map { ($0.author, $0.envelope) })
        switch relay.phase {
        case "deals":
            guard isHolder else { return [] }
            return [try complaints()]
        case "complaints":
            guard isHolder else { return [] }
            let accusers = try stored("complaints").compactMap { author, body -> String? in
                guard case .dkgComplaints(let list) = body.payload, list.complaints.contains(where: { $0.dealer == config.id }) else { return nil }
                return author
            }
            guard !accusers.isEmpty else { return [] }
            return [try justification(for: accusers)]
        case "justifications":
            guard isHolder else { return [] }
            let (outcome, _) = try computeOutcome()
            guard outcome.qualified.contains(config.id) else {
                log.warning("DKG: this holder was not qualified", metadata: ["reason": .string(outcome.excluded.first { $0.holder == config.id }?.reason ?? "")])
                return []
            }
            let confirmation = try dkgMessage("confirmation") { .dkgConfirmation(DKGRules.confirmation(outcome, parameters: p)) }
            FaultInjection.crash(at: "dkg-confirmation-stored")
            return [confirmation]
        case "confirmations":
            try finalize(messages.map { ($0.author, $0.body) })
            return []
        default:
            throw ProtocolError(.malformed, "unknown DKG phase \(relay.phase.debugDescription)")
        }
    }

    /// The stored relayed messages of a phase, parsed.
    func stored(_ phase: String) throws -> [(author: String, body: Tessera_V1_Body)] {
        try config.store.dkgReceived(epoch: Data(dkgParameters.epoch), phase: phase).map {
            ($0.author, try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: $0.envelope).body))
        }
    }

    /// Every relayed dealer whose share for this holder does not open or verify, with why.
    func complaints() throws -> Data {
        let p = dkgParameters
        let sealingKey = try requireSealingKey()
        let deals = try stored("deals")
        return try dkgMessage("complaints") {
            var complaints: [Tessera_V1_DkgComplaint] = []
            for (dealer, body) in deals where dealer != config.id {
                guard case .dkgDeal(let deal) = body.payload else { continue }
                do {
                    let commitments = try DKGRules.commitments(of: deal, dealer: dealer, parameters: p)
                    _ = try DKGRules.openShare(of: deal, dealer: dealer, commitments: commitments, recipient: config.id,
                                               parameters: p, federation: federation, sealingKey: sealingKey)
                } catch {
                    log.warning("DKG: complaint", metadata: ["dealer": .string(dealer), "reason": .string("\(error)")])
                    complaints.append(.with { $0.dealer = dealer; $0.reason = "\(error)" })
                }
            }
            return .dkgComplaints(.with { $0.epoch = Data(p.epoch); $0.complaints = complaints })
        }
    }

    /// This dealer's answer to complaints: the complainers' shares, in the clear.
    func justification(for accusers: [String]) throws -> Data {
        let p = dkgParameters
        let stored = try config.store.dealing(epoch: Data(p.epoch)) { throw ProtocolError(.internal, "no stored dealing to justify") }
        let dealing = try Dealing(serialized: [UInt8](stored))
        let fault = dkgFault
        return try dkgMessage("justification") {
            let revealed = accusers.sorted().map { holder in
                Tessera_V1_RevealedShare.with {
                    var shares = (try? dealing.shares(for: p.index(of: holder) ?? 0)) ?? []
                    // Simulations only (`dkg-false-justification`): the revealed share does not
                    // match the commitments either.
                    if let fault, fault.kind == .dkgFalseJustification, fault.target == holder {
                        shares = shares.map { $0 + .one }
                        log.notice("fault injected: revealing a false share", metadata: ["fault": .string(fault.description)])
                    }
                    $0.recipient = holder
                    $0.shares = Data(shares.concatenated)
                }
            }
            log.notice("DKG: revealing the shares complained about", metadata: ["holders": .string(accusers.sorted().joined(separator: ","))])
            return .dkgJustification(.with { $0.epoch = Data(p.epoch); $0.shares = revealed })
        }
    }

    /// The outcome of the relayed DKG, and this holder's key share if it holds one.
    func computeOutcome() throws -> (DKGRules.Outcome, ElGamalKeyShare?) {
        let p = dkgParameters
        let epoch = Data(p.epoch)
        var messages = DKGRules.Messages()
        for (author, envelope) in try config.store.dkgReceived(epoch: epoch, phase: "deals") { messages.deals[author] = envelope }
        for (author, envelope) in try config.store.dkgReceived(epoch: epoch, phase: "complaints") { messages.complaints[author] = envelope }
        for (author, envelope) in try config.store.dkgReceived(epoch: epoch, phase: "justifications") { messages.justifications[author] = envelope }
        let outcome = try DKGRules.outcome(messages, parameters: p)
        guard isHolder, let index = p.index(of: config.id), let sealingKey = config.sealingKey else { return (outcome, nil) }
        var parts: [[Scalar]] = []
        for dealer in outcome.qualified {
            guard let envelope = messages.deals[dealer] else { continue }
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
            guard case .dkgDeal(let deal) = body.payload else { continue }
            let commitments = try DKGRules.commitments(of: deal, dealer: dealer, parameters: p)
            if dealer == config.id {
                let stored = try config.store.dealing(epoch: epoch) { throw ProtocolError(.internal, "no stored dealing") }
                parts.append(try Dealing(serialized: [UInt8](stored)).shares(for: index))
            } else if let shares = try? DKGRules.openShare(of: deal, dealer: dealer, commitments: commitments, recipient: config.id,
                                                           parameters: p, federation: federation, sealingKey: sealingKey) {
                parts.append(shares)
            } else if let shares = try DKGRules.revealedShares(messages.justifications[dealer])[config.id],
                      Dealing.verify(shares: shares, index: index, commitments: commitments) {
                parts.append(shares)
            } else {
                throw ProtocolError(.internal, "qualified dealer \(dealer) left this holder no valid share")
            }
        }
        let share = try ElGamalKeyShare(index: index, summing: parts)
        guard share.verificationKey == (try outcome.key.verificationKey(of: config.id)) else {
            throw ProtocolError(.internal, "this holder's summed share does not match its verification key")
        }
        return (outcome, share)
    }

    /// Keeps the epoch's key once t + 1 qualified holders confirmed the DKG this node computed.
    func finalize(_ confirmations: [(author: String, body: Tessera_V1_Body)]) throws {
        let p = dkgParameters
        let (outcome, share) = try computeOutcome()
        let agreeing = confirmations.filter { author, body in
            guard outcome.qualified.contains(author), case .dkgConfirmation(let c) = body.payload else { return false }
            return DKGRules.agrees(c, with: outcome)
        }
        guard agreeing.count >= DKGRules.confirmationsNeeded(p) else {
            throw ProtocolError(.refused, "DKG of epoch \(p.epoch.hex) not confirmed: \(agreeing.count) qualified holders saw the DKG this node saw, \(DKGRules.confirmationsNeeded(p)) needed")
        }
        try config.store.saveFederationKey(epoch: Data(p.epoch), .init(
            holders: p.holders, qualified: outcome.qualified, threshold: p.threshold, keys: p.keys,
            commitments: Data(outcome.key.encodedCommitments), share: share.map { Data($0.serialized) }))
        log.notice("DKG: federation key ready", metadata: ["epoch": .string(p.epoch.hex), "qualified": .string(outcome.qualified.joined(separator: ",")),
                                                         "holder": .stringConvertible(share != nil)])
    }

    /// The federation keys and this node's shares, for the schemes.
    func federationKey(epoch: [UInt8]) throws -> (FederationKey, ElGamalKeyShare?)? {
        guard let stored = try config.store.federationKey(epoch: Data(epoch)) else { return nil }
        let key = try FederationKey(epoch: epoch, holders: stored.holders, qualified: stored.qualified, threshold: stored.threshold,
                                    keys: stored.keys, encodedCommitments: [UInt8](stored.commitments))
        let share = try stored.share.map { try ElGamalKeyShare(serialized: [UInt8]($0)) }
        return (key, share)
    }
}
