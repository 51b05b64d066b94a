import Foundation
import Testing
import TesseraCrypto
import TesseraGroup
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// Bad DKG messages and bad one-shot submissions, sent by in-process clients with real
/// federation keys beside real participant processes: each is refused with a named status,
/// nothing is stored for it, and the other sessions carry on (the DKG completes, the round
/// decrypts the honest updates).
extension OneShotNetworkTests {
    /// keys/test-20, committee brand-a…brand-e (t = 3). Processes: brand-a, b, c (holders) and
    /// brand-f. Clients: brand-d (a holder that first sends a deal with commitments of the wrong
    /// size, then its deal, a replay of it and a second deal, then deals honestly), brand-e (a
    /// holder that never deals, so it is outside the qualified set, and later submits), brand-g
    /// (not a holder: it sends a deal; later it sends a masked vector of the wrong length, one
    /// of a block count other than the spec's, a key layer whose ciphertext is not a ristretto255
    /// point, a proof that does not verify, a masked vector its key layer does not sign, and
    /// finally its honest submission).
    @Test func badDKGMessagesAndBadSubmissionsAreRefusedByNameAndNothingIsStored() async throws {
        let run = try OneShotRun(keys: testKeys20)
        let federation = try run.federation()
        let epoch = federation.epoch
        let jobID = "bad-input"
        let listed = ["brand-a", "brand-b", "brand-c", "brand-e", "brand-f", "brand-g"]
        let (coordinator, port) = try await run.coordinator(job: try run.job(jobID, length: 5, participants: listed, minParticipants: 2), timeout: 4)
        let values: [String: [Int64]] = Dictionary(uniqueKeysWithValues: listed.enumerated().map { i, id in (id, (0..<5).map { Int64(i * 1000 + $0) }) })
        let nodes = try ["brand-a", "brand-b", "brand-c", "brand-f"].map { try run.participant($0, port: port, values: values[$0]!) }
        defer { for n in nodes { n.signal(SIGKILL) } }

        // brand-d: a holder with bad DKG messages first.
        async let dealer: Data = TestClient.with("brand-d", keys: run.keys, port: port) { d in
            _ = try await d.next(timeout: 120) { $0.isDKGStart }
            let deal = try d.deal()
            var short = deal
            short.commitments = short.commitments.dropLast(32)
            let wrongSize = try await d.exchange(.dkgDeal(short))
            #expect(wrongSize.code == .wrongLength, "\(wrongSize)")
            #expect(wrongSize.message == "deal of brand-d has \(deal.commitments.count - 32) bytes of commitments, expected \(deal.commitments.count) (8 keys × threshold 3 points of 32 bytes)", "\(wrongSize)")
            let accepted = try await d.send(.dkgDeal(deal))
            #expect(try await d.statusAcking(d.sequence).code == .ok)
            try await d.send(accepted)
            let replay = try await d.statusAcking(d.sequence)
            #expect(replay.code == .replay && replay.message == "sequence \(d.sequence) is not above the last accepted \(d.sequence) from brand-d", "\(replay)")
            let again = try await d.exchange(.dkgDeal(try d.deal(seed: 77)))
            #expect(again.code == .duplicate && again.message.contains("brand-d already sent its dkg_deal"), "\(again)")
            // Then an honest holder: no complaint (its shares are not checked here), a confirmation.
            let deals = try await d.relay("deals")
            #expect(try await d.exchange(.dkgComplaints(.with { $0.epoch = Data(epoch) })).code == .ok)
            let outcome = try await d.followDKG(deals: deals)
            #expect(try await d.exchange(.dkgConfirmation(DKGRules.confirmation(outcome, parameters: d.dkgParameters))).code == .ok)
            _ = try await d.relay("confirmations")
            return accepted
        }

        // brand-g: not a holder. Its deal is refused; then bad submissions, then an honest one.
        async let outsider: Tessera_V1_Submission = TestClient.with("brand-g", keys: run.keys, port: port) { g in
            _ = try await g.next(timeout: 120) { $0.isDKGStart }
            let refused = try await g.exchange(.dkgDeal(try g.deal()))
            #expect(refused.code == .unexpected && refused.message.hasPrefix("brand-g is not a holder of epoch"), "\(refused)")
            let outcome = try await g.followDKG()
            let specBody = try await g.next(timeout: 120) { if case .jobSpec = $0.payload { return true }; return false }
            guard case .jobSpec(let spec) = specBody.payload else { throw TestFailure("no spec") }
            try await g.send(.jobDecision(.with { $0.accept = true; $0.reason = "test"; $0.remainingEpsilon = 1; $0.remainingDelta = 1 }), job: jobID)
            _ = try await g.next(timeout: 60) { if case .roundOpen = $0.payload { return true }; return false }
            let honest = try await g.oneShotSubmission(values["brand-g"]!, spec: spec, key: outcome.key, job: jobID, round: 1)
            let other = try await g.oneShotSubmission(values["brand-g"]!, spec: spec, key: outcome.key, job: jobID, round: 1, seed: 12)
            func refusal(_ submission: Tessera_V1_Submission) async throws -> Tessera_V1_Status {
                try await g.exchange(.submission(submission), job: jobID, round: 1)
            }
            let masked = honest.oneShot.masked
            #expect(masked.count == 2048 * 8 && spec.oneShot.blocks == 1)

            var truncated = honest
            truncated.oneShot.masked = masked.dropLast(8)
            let short = try await refusal(truncated)
            #expect(short.code == .wrongLength && short.message == "masked vector of 16376 bytes; 1 blocks of 2048 words are 16384 bytes", "\(short)")

            // Two blocks where the spec says one, consistently signed.
            var twoBlocks = honest
            twoBlocks.oneShot.masked = masked + masked
            twoBlocks.oneShot.keyLayer = try resignedKeyLayer(honest.oneShot.keyLayer, by: g.node.signingKey) { $0.maskedHash = maskedHash(masked + masked) }
            let blocks = try await refusal(twoBlocks)
            #expect(blocks.code == .wrongLength && blocks.message == "masked vector of 32768 bytes; 1 blocks of 2048 words are 16384 bytes", "\(blocks)")

            var notAPoint = honest
            notAPoint.oneShot.keyLayer = try resignedKeyLayer(honest.oneShot.keyLayer, by: g.node.signingKey) {
                $0.randomness = Data(repeating: 0xff, count: 32) + $0.randomness.dropFirst(32)
            }
            let point = try await refusal(notAPoint)
            #expect(point.code == .invalidCiphertext && point.message.hasPrefix("key layer of brand-g:"), "\(point)")

            var badProof = honest
            badProof.oneShot.keyLayer = try resignedKeyLayer(honest.oneShot.keyLayer, by: g.node.signingKey) { layer in
                guard case .keyLayer(let theirs) = try body(of: other.oneShot.keyLayer).payload else { return }
                layer.proofChallenge = theirs.proofChallenge
                layer.proofResponses = theirs.proofResponses
            }
            let proof = try await refusal(badProof)
            #expect(proof.code == .invalidProof, "\(proof)")
            #expect(proof.message == "key layer of brand-g: the proof of knowledge of its encryption randomness does not verify for brand-g, job \(jobID), round 1", "\(proof)")

            var unsigned = honest
            unsigned.oneShot.masked = other.oneShot.masked
            let mismatch = try await refusal(unsigned)
            #expect(mismatch.code == .malformed && mismatch.message == "the masked vector of brand-g does not match the hash its key layer signs", "\(mismatch)")

            let ok = try await refusal(honest)
            #expect(ok.code == .ok, "\(ok)")
            let resultBody = try await g.next(timeout: 120) { if case .roundResult = $0.payload { return true }; return false }
            guard case .roundResult(let result) = resultBody.payload else { throw TestFailure("no result") }
            #expect(result.contributors == ["brand-a", "brand-b", "brand-c", "brand-f", "brand-g"])
            #expect(result.sums == columnSums(result.contributors.map { values[$0]! }))
            return honest
        }

        // brand-e: a holder that never deals; its later contribution is outside the qualified set.
        async let excluded: Void = TestClient.with("brand-e", keys: run.keys, port: port) { e in
            let outcome = try await e.followDKG()
            #expect(outcome.qualified == ["brand-a", "brand-b", "brand-c", "brand-d"])
            #expect(outcome.excluded.map(\.holder) == ["brand-e"] && outcome.excluded.first?.reason == "did not deal in time")
            let specBody = try await e.next(timeout: 120) { if case .jobSpec = $0.payload { return true }; return false }
            guard case .jobSpec(let spec) = specBody.payload else { throw TestFailure("no spec") }
            try await e.send(.jobDecision(.with { $0.accept = true; $0.reason = "test"; $0.remainingEpsilon = 1; $0.remainingDelta = 1 }), job: jobID)
            _ = try await e.next(timeout: 60) { if case .roundOpen = $0.payload { return true }; return false }
            let submission = try await e.oneShotSubmission(values["brand-e"]!, spec: spec, key: outcome.key, job: jobID, round: 1)
            let status = try await e.exchange(.submission(submission), job: jobID, round: 1)
            #expect(status.code == .refused, "\(status)")
            #expect(status.message == "brand-e was disqualified in the DKG of epoch \(epoch.hex): its contributions do not count in this epoch", "\(status)")
            _ = try await e.next(timeout: 120) { if case .roundResult = $0.payload { return true }; return false }
        }
        let (deal, submission, _) = try await (dealer, outsider, excluded)

        #expect(try await coordinator.waitForExit(timeout: 60) == 0, "\(coordinator.output.suffix(3000))")
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        // Nothing was stored for a refused message: one deal per dealer (brand-d's the accepted
        // one), no DKG message of brand-g, no submission of brand-e, brand-g's honest one only.
        let store = try CoordinatorStore(path: run.coordinatorState)
        let deals = try store.dkgMessages(epoch: Data(epoch), phase: "deal")
        #expect(deals.map(\.author) == ["brand-a", "brand-b", "brand-c", "brand-d"])
        #expect(deals.first { $0.author == "brand-d" }?.envelope == deal)
        for phase in ["deal", "complain", "justify", "confirm"] {
            #expect(try !store.dkgMessages(epoch: Data(epoch), phase: phase).contains { $0.author == "brand-g" || $0.author == "brand-e" }, "\(phase)")
        }
        let submissions = try store.allSubmissions()
        #expect(submissions.map(\.participant).sorted() == ["brand-a", "brand-b", "brand-c", "brand-f", "brand-g"])
        let stored = try body(of: try #require(submissions.first { $0.participant == "brand-g" }).envelope)
        #expect(stored.submission == submission)
        let report = try await run.audit()
        #expect(report.keys.first?.qualified == ["brand-a", "brand-b", "brand-c", "brand-d"] && report.rounds == 1)
        #expect(coordinator.output.contains("code=wrong_length"))
    }
}
