import Foundation
import Testing
import TesseraLattice
import TesseraProtocol
import TesseraState

/// One-shot rounds between real processes: the largest federation, dropouts in every phase,
/// a participant whose mask and key disagree, and a coordinator killed in every phase.
extension OneShotNetworkTests {
    /// keys/test-20: all 20 participants (the largest federation the test keys allow) follow
    /// the DKG of the committee brand-a…brand-e (t = 3) and keep its key; a round among the 20
    /// at the largest b the planner allows for 20 contributors (b = 39: 20 · 2^19 < 2^(63−39))
    /// and the largest value bound it carries (20 · bound < 2^38) decrypts exactly, the sums
    /// reaching ±20 · bound, within 3 of ±(2^38 − 1).
    @Test func twentyParticipantsRoundTripAtTheLargestValues() async throws {
        let run = try OneShotRun(keys: testKeys20)
        let federation = try run.federation()
        let ids = federation.participantIDs.sorted()
        #expect(ids.count == 20 && federation.holders == ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e"])
        let bound = ((Int64(1) << 38) - 1) / 20
        #expect(try MaskParameters.plan(maxContributors: 20, maxAbsSum: 20 * bound).messageBits == 39)
        #expect(throws: LatticeError.self) { try MaskParameters.plan(maxContributors: 20, maxAbsSum: 20 * (bound + 1)) }
        let vectors: [[Int64]] = ids.indices.map { i in [bound, -bound, i % 2 == 0 ? bound : -bound, Int64(i), -Int64(i) * 1000, i == 0 ? bound : 0] }
        let (coordinator, port) = try await run.coordinator(job: try run.job("twenty", length: 6, bound: bound), timeout: 120)
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0]) }
        #expect(try await coordinator.waitForExit(timeout: 300) == 0, "\(coordinator.output.suffix(3000))")
        let result = try printedResult(coordinator)
        #expect(result.contributors == ids)
        #expect(result.sums == columnSums(vectors))
        #expect(result.sums[0] == 20 * bound && result.sums[1] == -20 * bound && (Int64(1) << 38) - 1 - result.sums[0] <= 3)
        let spec = try Tessera_V1_JobSpec(serializedBytes: try #require(try CoordinatorStore(path: run.coordinatorState).jobs().first).spec)
        #expect(spec.oneShot.messageBits == 39 && spec.participants == ids && spec.threshold == 3)
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        try expectSameKey(run, participants: ids, qualified: federation.holders)
        let report = try await run.audit()
        #expect(report.keys.first?.qualified == federation.holders && report.rounds == 1)
    }

    /// keys/test-20, the committee brand-a…brand-e (t = 3) and two other brands: brand-f drops
    /// before submitting, brand-e (a holder) stops once its submission is stored, and brand-a
    /// (asked first) drops before its partial decryption. The round still decrypts: after the
    /// collection timeout without brand-f, and after the decryption timeout with brand-b,
    /// brand-c and brand-d; the sums cover everyone who submitted, brand-e included.
    @Test func dropoutsInEveryPhaseAndTheRoundStillDecrypts() async throws {
        let run = try OneShotRun(keys: testKeys20)
        let ids = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e", "brand-f", "brand-g"]
        let faults = try run.faults([
            ["kind": "drop-before-submit", "participant": "brand-f", "round": 1],
            ["kind": "drop-after-submit", "participant": "brand-e", "round": 1],
            ["kind": "drop-before-share", "participant": "brand-a", "round": 1]])
        let (coordinator, port) = try await run.coordinator(job: try run.job("dropouts", length: 5, participants: ids, minParticipants: 2), timeout: 4)
        let vectors = ids.indices.map { i in (0..<5).map { Int64((i + 1) * 100 + $0) } }
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0], faults: faults) }
        #expect(try await coordinator.waitForExit(timeout: 180) == 0, "\(coordinator.output.suffix(3000))")
        let contributors = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e", "brand-g"]
        let result = try printedResult(coordinator)
        #expect(result.contributors == contributors)
        #expect(result.sums == columnSums(contributors.map { vectors[ids.firstIndex(of: $0)!] }))
        #expect(coordinator.output.contains("requested holders did not all answer in time"))
        let partials = try CoordinatorStore(path: run.coordinatorState).transcript().filter { $0.kind == "partial_decryptions" }.map(\.author)
        #expect(partials == ["brand-b", "brand-c", "brand-d"], "\(partials)")
        for (i, id) in ids.enumerated() where ["brand-a", "brand-e", "brand-f"].contains(id) {
            #expect(nodes[i].output.contains("fault injected: stopping for good"), "\(id)")
        }
        #expect(nodes[4].output.contains("submission encrypted") && !nodes[4].output.contains("round result received"))
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        #expect(try await run.audit().rounds == 1)
    }

    /// keys/test: brand-c masks its update under one secret and encrypts another in its key
    /// layer (`inconsistent-mask`). Each half is well-formed and signed, so its submission is
    /// stored and the holders decrypt the key sum; the coordinator's residue check then refuses
    /// to release the round, naming the check, and nothing is released to anyone.
    @Test func aMaskInconsistentWithItsKeyIsCaughtByTheResidueCheck() async throws {
        let run = try OneShotRun(keys: testKeys)
        let ids = ["brand-a", "brand-b", "brand-c"]
        let faults = try run.faults([["kind": "inconsistent-mask", "participant": "brand-c", "round": 1]])
        let (coordinator, port) = try await run.coordinator(job: try run.job("residue", length: 5), timeout: 60, exitAfterJob: false)
        defer { coordinator.signal(SIGKILL) }
        let nodes = try ids.map { try run.participant($0, port: port, values: [1, 2, 3, 4, 5], faults: faults, exitAfterJob: false) }
        defer { for n in nodes { n.signal(SIGKILL) } }
        try await coordinator.waitFor("residue check failed", timeout: 120)
        #expect(logHas(coordinator.output, "aggregate does not decode: round refused", "a contributor's mask is inconsistent with the key it encrypted"))
        #expect(nodes[2].output.contains("fault injected: masking with a secret other than the one encrypted"))
        // Give any (wrong) release a moment to show, then check nothing was released.
        try await Task.sleep(for: .seconds(1))
        #expect(!coordinator.output.contains("round result released"))
        #expect(coordinator.process.isRunning)
        for node in nodes { #expect(!node.output.contains("round result received"), "\(node.name)") }
        let store = try CoordinatorStore(path: run.coordinatorState)
        #expect(try store.result(job: "residue", round: 1) == nil)
        #expect(try store.allSubmissions().count == 3)
        #expect(try !store.transcript().contains { $0.kind == "round_result" })
        for id in ids { #expect(try ParticipantStore(path: run.participantState(id)).result(job: "residue", round: 1) == nil) }
        // The job ended as failed with a signed refusal in the transcript, and nothing was spent by the federation.
        #expect(try store.jobs().first { $0.id == "residue" }?.status == "failed")
        #expect(try store.transcript().last?.kind == "round_refused")
        #expect(try store.ledger().isEmpty)
        // The auditor recomputes the decoding and confirms the refusal.
        let export = run.dir + "/export"
        let exporter = try NodeProcess("tessera", ["transcript", "export", "--state", run.coordinatorState, "--keys", testKeys, "--out", export],
                                       in: run.dir, name: "export")
        #expect(try await exporter.waitForExit() == 0, "\(exporter.output)")
        let audit = try NodeProcess("tessera", ["audit", export], in: run.dir, name: "audit")
        #expect(try await audit.waitForExit() == 0, "\(audit.output)")
        #expect(audit.output.contains("1 refused round(s) checked"), "\(audit.output)")
    }

    /// keys/test: the coordinator is killed in every phase and restarted with the same state
    /// (and port): during the DKG once the first deal, complaint list and confirmation are
    /// stored; while collecting, once the first submission is stored; while decrypting, once
    /// the first partial decryptions are. The result is the plaintext sum; each participant
    /// encrypted once and spent once; no submission was stored twice or lost.
    @Test func aCoordinatorKilledInEveryPhaseLosesNothingAndSpendsNothingTwice() async throws {
        let run = try OneShotRun(keys: testKeys)
        let ids = ["brand-a", "brand-b", "brand-c"]
        let epoch = Data(try run.federation().epoch)
        let job = try run.job("phases", length: 6)
        let vectors = ids.indices.map { i in (0..<6).map { Int64($0 * 10 - i * 3) } }
        let points = ["dkg-deal-stored", "dkg-complain-stored", "dkg-confirm-stored", "submission-stored", "partials-stored"]
        let (first, port) = try await run.coordinator(job: job, timeout: 60, name: "coordinator-0", environment: ["TESSERA_CRASH_POINT": points[0]])
        var coordinator = first
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0]) }
        defer { for n in nodes { n.signal(SIGKILL) } }
        var coordinators = [coordinator]
        var firstSubmitter: String?
        for (i, point) in points.enumerated() {
            #expect(try await coordinator.waitForExit(timeout: 120) == 86, "\(point): \(coordinator.output.suffix(3000))")
            let store = try CoordinatorStore(path: run.coordinatorState)
            switch point {
            case "dkg-deal-stored":
                #expect(try store.dkg(epoch: epoch)?.phase == "deal" && store.dkgMessages(epoch: epoch, phase: "deal").count == 1)
            case "dkg-complain-stored":
                #expect(try store.dkg(epoch: epoch)?.phase == "complain" && store.dkgMessages(epoch: epoch, phase: "complain").count == 1)
            case "dkg-confirm-stored":
                #expect(try store.dkg(epoch: epoch)?.phase == "confirm" && store.dkgMessages(epoch: epoch, phase: "confirm").count == 1)
                #expect(try store.jobs().isEmpty)
            case "submission-stored":
                #expect(try store.dkg(epoch: epoch)?.phase == "done" && store.latestRound(job: "phases")?.status == "open")
                let stored = try store.submissions(job: "phases", round: 1)
                #expect(stored.count == 1)
                firstSubmitter = stored.first?.participant
            default:
                #expect(try store.latestRound(job: "phases")?.status == "decrypting" && store.partials(job: "phases", round: 1).count == 1)
                #expect(try store.submissions(job: "phases", round: 1).count == 3)
            }
            let next = i + 1 < points.count ? ["TESSERA_CRASH_POINT": points[i + 1]] : [:]
            (coordinator, _) = try await run.coordinator(job: nil, port: port, timeout: 60, name: "coordinator-\(i + 1)", environment: next)
            coordinators.append(coordinator)
        }
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        let result = try printedResult(coordinator)
        #expect(result.sums == columnSums(vectors) && result.contributors == ids)
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        let logs = coordinators.map(\.output).joined()
        for (i, id) in ids.enumerated() {
            // Encrypted once (a resend reuses the stored submission), stored once, spent once.
            #expect(occurrences("submission encrypted", in: nodes[i].output) == 1, "\(id)")
            // The submission stored when the coordinator was killed (before its log line) is
            // not asked for again; every other one is stored once.
            #expect(occurrences("participant=\(id) round=1 [TesseraCoordinator] submission stored", in: logs) == (id == firstSubmitter ? 0 : 1), "\(id)")
            #expect(try ParticipantStore(path: run.participantState(id)).ledger().count == 1, "\(id)")
        }
        let store = try CoordinatorStore(path: run.coordinatorState)
        #expect(firstSubmitter != nil)
        #expect(try store.allSubmissions().map(\.participant).sorted() == ids)
        #expect(try store.ledger().count == 3)
        #expect(try store.dkgMessages(epoch: epoch, phase: "deal").map(\.author) == ids)
        try expectSameKey(run, participants: ids, qualified: ids)
        let report = try await run.audit()
        #expect(report.keys.first?.qualified == ids && report.rounds == 1)
    }
}
