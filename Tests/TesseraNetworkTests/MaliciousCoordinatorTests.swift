import Foundation
import Testing
import TesseraCoordinator
import TesseraCrypto
import TesseraGroup
import TesseraNode
import TesseraProtocol
import TesseraRandom
import TesseraSchemes
import TesseraState

/// A malicious coordinator (`HarnessCoordinator`: the federation's coordinator keys, the real
/// protocol) against real participant processes: every lie is refused by the participants with
/// a status naming it, and nothing is stored for it.
extension OneShotNetworkTests {
    /// The coordinator alters one sealed share in the deals it relays to brand-a.
    ///
    /// The relay carries each deal exactly as its dealer signed it, and the sealed boxes are
    /// inside the signed body, so changing a box changes the bytes brand-b's signature covers:
    /// brand-a refuses the whole relay at brand-b's envelope signature, before it would try to
    /// open the box. The complaint path ("the sealed share does not open") is therefore for a
    /// dealer that itself seals a bad box, never for a relay that alters one; a coordinator that
    /// drops or alters deals can only stall the DKG, and it completes once the genuine relay
    /// arrives. A relay holding a message from a non-holder (the coordinator's own "deal"), a
    /// replayed relay and a relay of a phase before the one preceding it are refused the same way.
    @Test func aRelayedShareAlteredByTheCoordinatorIsRefusedAtTheDealersSignature() async throws {
        let run = try OneShotRun(keys: testKeys)
        let ids = ["brand-a", "brand-b", "brand-c"]
        let harness = try await HarnessCoordinator.start(keys: run.keys)
        let nodes = try ids.map { try run.participant($0, port: harness.port, values: [1, 2, 3], exitAfterJob: false) }
        defer { for n in nodes { n.signal(SIGTERM) } }
        try await harness.waitConnected(ids)
        try await harness.startDKG(ids)
        let deals = try await harness.deals()
        let genuine = deals.sorted { $0.key < $1.key }.map(\.value)
        let epoch = Data(harness.federation.epoch)

        // brand-b's deal with one byte of the box sealed to brand-a flipped.
        var altered = try body(of: deals["brand-b"]!)
        guard case .dkgDeal(var deal) = altered.payload else { throw TestFailure("not a deal") }
        let j = deal.shares.firstIndex { $0.recipient == "brand-a" }!
        deal.shares[j].sealed[deal.shares[j].sealed.count - 1] ^= 1
        altered.payload = .dkgDeal(deal)
        var envelope = try Tessera_V1_Envelope(serializedBytes: deals["brand-b"]!)
        envelope.body = try altered.serializedData()
        let tampered = genuine.map { $0 == deals["brand-b"]! ? try! envelope.serializedData() : $0 }
        let first = try await harness.send(harness.relay("deals", tampered), to: "brand-a")
        let refusal = try await harness.status(from: "brand-a", acking: first)
        #expect(refusal.code == .badSignature && refusal.message == "signature of brand-b does not verify", "\(refusal)")

        // A "deal" that the coordinator signed itself: not a holder of the epoch.
        let (forged, _) = try await harness.seal(.dkgDeal(deal))
        let second = try await harness.send(harness.relay("deals", genuine + [forged]), to: "brand-a")
        let outsider = try await harness.status(from: "brand-a", acking: second)
        #expect(outsider.code == .unexpected && outsider.message.contains("coordinator") && outsider.message.contains("not a holder"), "\(outsider)")
        // Nothing was stored for either relay, and brand-a did not complain.
        #expect(try !ParticipantStore(path: run.participantState("brand-a")).hasDKGRelay(epoch: epoch, phase: "deals"))
        #expect(await harness.messages(from: "brand-a") { if case .dkgComplaints = $0.payload { return true }; return false }.isEmpty)

        // The genuine relay: brand-a (and everyone) goes on, and the DKG completes.
        let (relay, sequence) = try await harness.seal(harness.relay("deals", genuine))
        try await harness.sendRaw(relay, to: "brand-a")
        for id in ["brand-b", "brand-c"] { try await harness.send(harness.relay("deals", genuine), to: id) }
        // The same relay again: a replay of the coordinator's sequence.
        try await harness.sendRaw(relay, to: "brand-a")
        let replay = try await harness.status(from: "brand-a", acking: sequence)
        #expect(replay.code == .replay, "\(replay)")
        // A later phase relayed before the one before it: refused, nothing stored; the
        // holder acts on the phases in order when they come.
        let early = try await harness.send(harness.relay("justifications", []), to: "brand-a")
        let outOfOrder = try await harness.status(from: "brand-a", acking: early)
        #expect(outOfOrder.code == .unexpected && outOfOrder.message.hasPrefix("relay of justifications before the relay of complaints"), "\(outOfOrder)")
        #expect(try !ParticipantStore(path: run.participantState("brand-a")).hasDKGRelay(epoch: epoch, phase: "justifications"))
        let outcome = try await harness.finishDKG(deals: deals, recipients: ids)
        #expect(outcome.qualified == ids && outcome.excluded.isEmpty)
        for node in nodes { try await node.waitFor("DKG: federation key ready", timeout: 60) }
        for id in ids {
            let key = try #require(try ParticipantStore(path: run.participantState(id)).federationKey(epoch: epoch))
            #expect(key.commitments == Data(outcome.key.encodedCommitments) && key.qualified == ids)
        }
        // No complaint was made by anyone: the altered box never reached a share check.
        #expect(!nodes.contains { $0.output.contains("DKG: complaint") })
        await harness.stop()
    }

    /// keys/test-5 (t = 3, 5 holders): after an honest DKG and honest submissions, the harness
    /// asks the holders to decrypt what a malicious coordinator would: one brand's submission
    /// as the aggregate; a re-randomised copy of brand-a's key layer re-signed by a colluder
    /// (brand-c, whose keys the harness holds) under its own name; a scaled aggregate; and two
    /// different contributor sets to two groups of holders. Each is refused, with the reason;
    /// the second set gets fewer than t answers, and its answers do not verify against the first.
    @Test func aMaliciousCoordinatorsRequestsAreRefusedByTheHolders() async throws {
        let run = try OneShotRun(keys: testKeys5)
        let ids = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e"]
        let harness = try await HarnessCoordinator.start(keys: run.keys)
        let vectors = ids.indices.map { i in (0..<8).map { Int64((i + 1) * 1000 + $0) } }
        let nodes = try ids.enumerated().map { try run.participant($1, port: harness.port, values: vectors[$0], exitAfterJob: false) }
        defer { for n in nodes { n.signal(SIGTERM) } }
        let outcome = try await harness.runDKG(ids)
        for node in nodes { try await node.waitFor("DKG: federation key ready", timeout: 60) }
        let job = "evil"
        let spec = try JobDefinition(id: job, scheme: "one-shot", vectorLength: 8, valueBound: 1_000_000, participants: ids, minParticipants: 2)
            .spec(federation: harness.federation, federationKey: outcome.key)
        let submissions = try await harness.collectSubmissions(job: job, spec: spec, participants: ids)
        let scheme = Scheme(OneShotScheme(key: outcome.key))
        let context = RoundContext(federation: harness.federation, job: job, round: 1, spec: spec, parallelism: .serial)
        for (id, submission) in submissions { try await scheme.check(submission, from: id, context: context) }
        func aggregate(_ contributors: [String]) async throws -> PendingAggregate {
            try await scheme.aggregate(contributors.map { ($0, submissions[$0]!) }, context: context)
        }
        /// Sends `request` to `holders`; returns each one's status (nil: it answered with partial decryptions).
        func ask(_ request: Tessera_V1_DecryptionRequest, _ holders: [String]) async throws -> [String: Tessera_V1_Status?] {
            var out: [String: Tessera_V1_Status?] = [:]
            for holder in holders {
                let before = await harness.messages(from: holder) { $0.kind == "partial_decryptions" }.count
                let sequence = try await harness.send(.decryptionRequest(request), to: holder, job: job, round: 1)
                out[holder] = try await harness.waitFor("\(holder)'s answer to \(sequence)") { received -> Tessera_V1_Status?? in
                    if let s = received.first(where: { $0.from == holder && $0.body.statusMessage?.ackedSequence == sequence })?.body.statusMessage { return .some(s) }
                    let count = received.filter { $0.from == holder && $0.body.kind == "partial_decryptions" }.count
                    return count > before ? .some(nil) : nil
                }
            }
            return out
        }

        // 1. One brand's submission presented as the aggregate.
        let single = try await aggregate(["brand-a"]).request
        for (holder, status) in try await ask(single, ids) {
            #expect(status?.code == .refused, "\(holder)")
            #expect(status?.message == "refusing to decrypt an aggregate of 1 contributor(s); the job requires at least 2", "\(holder): \(String(describing: status))")
        }

        // 2. brand-a's key layer plus an encryption of zero, re-signed by the colluder brand-c.
        let colluder = try NodeKeys.participant(directory: run.keys, id: "brand-c").signingKey
        var rng = ChaCha20DRBG(seed: Seed(2024))
        let copy = try resignedKeyLayer(submissions["brand-a"]!.oneShot.keyLayer, by: colluder, sender: "brand-c") { layer in
            var c1 = try [GroupElement](concatenated: layer.randomness, count: layer.randomness.count / 32, what: "c1")
            var c2 = try [GroupElement](concatenated: layer.values, count: layer.values.count / 32, what: "c2")
            for g in c1.indices {
                let r = Scalar.random(using: &rng)
                c1[g] += GroupElement.base(r)
                for m in (g * outcome.key.keys)..<min((g + 1) * outcome.key.keys, c2.count) {
                    c2[m] += outcome.key.publicKey.keys[m - g * outcome.key.keys].multiplied(by: r)
                }
            }
            layer.randomness = Data(c1.concatenated)
            layer.values = Data(c2.concatenated)
        }
        var rerandomised = try await aggregate(["brand-a", "brand-b", "brand-c"]).request
        rerandomised.keyLayers[2] = copy
        rerandomised.aggregateRandomness = Data(try sumOfRandomness(rerandomised.keyLayers).concatenated)
        for (holder, status) in try await ask(rerandomised, ids) {
            #expect(status?.code == .refused, "\(holder)")
            #expect(status?.message == "refusing to decrypt: key layer of brand-c: the proof of knowledge of its encryption randomness does not verify for brand-c, job evil, round 1",
                    "\(holder): \(String(describing: status))")
        }

        // 3. A scaled aggregate (each Σc1 doubled): Enc(2·Σs) would reveal nothing new, but
        //    the holders decrypt only the sum of the listed key layers.
        var scaled = try await aggregate(ids).request
        let total = try [GroupElement](concatenated: scaled.aggregateRandomness, count: scaled.aggregateRandomness.count / 32, what: "Σc1")
        scaled.aggregateRandomness = Data(total.map { $0 + $0 }.concatenated)
        for (holder, status) in try await ask(scaled, ids) {
            #expect(status?.code == .refused, "\(holder)")
            #expect(status?.message == "refusing to decrypt: the aggregate sent is not the sum of the 5 contributors' key layers", "\(holder): \(String(describing: status))")
        }
        // None of these was recorded: no holder has decrypted anything yet.
        for id in ids {
            #expect(await harness.messages(from: id) { $0.kind == "partial_decryptions" }.isEmpty, "\(id) answered a refused request")
        }

        // 4. Two contributor sets: all five to brand-a, brand-b, brand-c; four to brand-c, d, e.
        let everyone = try await aggregate(ids)
        let four = try await aggregate(Array(ids.prefix(4)))
        for (holder, status) in try await ask(everyone.request, ["brand-a", "brand-b", "brand-c"]) { #expect(status == .some(nil), "\(holder): \(String(describing: status))") }
        let second = try await ask(four.request, ["brand-c", "brand-d", "brand-e"])
        #expect(second["brand-c"]??.code == .refused)
        #expect(second["brand-c"]??.message == "already decrypted a different contributor set for round 1 of job evil", "\(String(describing: second["brand-c"]))")
        #expect(second["brand-d"] == .some(nil) && second["brand-e"] == .some(nil))

        func partials(_ id: String) async throws -> Tessera_V1_PartialDecryptions {
            let envelope = await harness.messages(from: id) { $0.kind == "partial_decryptions" }.last!.envelope
            guard case .partialDecryptions(let p) = try body(of: envelope).payload else { throw TestFailure("no partials") }
            return p
        }
        // The first set decrypts to the sum of all five updates.
        var first: [VerifiedAnswer] = []
        for id in ["brand-a", "brand-b", "brand-c"] { first.append(try await everyone.verify(try await partials(id), from: id, context: context)) }
        #expect(try await everyone.release(first, context: context) == columnSums(vectors))
        // The second has two answers (t = 3): it cannot be released, and the answers, bound to
        // the contributor set, do not verify against the first set's aggregate either.
        var second2: [VerifiedAnswer] = []
        for id in ["brand-d", "brand-e"] { second2.append(try await four.verify(try await partials(id), from: id, context: context)) }
        await #expect(throws: (any Error).self) { try await four.release(second2, context: context) }
        await #expect(throws: ProtocolError.self) { try await everyone.verify(try await partials("brand-d"), from: "brand-d", context: context) }
        await harness.stop()
    }
}

/// Σ c1 over key-layer envelopes (group-wise), as a holder recomputes it.
func sumOfRandomness(_ layers: [Data]) throws -> [GroupElement] {
    var total: [GroupElement] = []
    for envelope in layers {
        guard case .keyLayer(let layer) = try body(of: envelope).payload else { throw TestFailure("not a key layer") }
        let c1 = try [GroupElement](concatenated: layer.randomness, count: layer.randomness.count / 32, what: "c1")
        total = total.isEmpty ? c1 : zip(total, c1).map { $0 + $1 }
    }
    return total
}
