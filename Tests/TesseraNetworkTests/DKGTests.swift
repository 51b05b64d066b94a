import Foundation
import Testing
import TesseraAudit
import TesseraCrypto
import TesseraKeys
import TesseraLattice
import TesseraNode
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// The federation's distributed key generation between real processes (Joint-Feldman with
/// complaints, justifications and confirmations, relayed by the coordinator), run by the
/// coordinator before the epoch's first one-shot job.
extension OneShotNetworkTests {
    /// Every participant keeps the same key of the epoch, with a share if it is a holder.
    func expectSameKey(_ run: OneShotRun, participants: [String], qualified: [String]) throws {
        let federation = try run.federation()
        var commitments: Set<Data> = []
        for id in participants {
            let key = try #require(try ParticipantStore(path: run.participantState(id)).federationKey(epoch: Data(federation.epoch)), "\(id) kept no key")
            #expect(key.qualified == qualified, "\(id)")
            #expect((key.share != nil) == federation.holders.contains(id), "\(id)")
            commitments.insert(key.commitments)
        }
        #expect(commitments.count == 1, "participants hold different keys")
    }

    /// keys/test (3 holders, t = 2): the DKG runs before the job, every participant keeps the
    /// same key, and a round whose values are the largest its b can carry decrypts exactly:
    /// b = 42 is the largest b the planner allows for 3 listed participants (3 · 2^19 < 2^(63−b)),
    /// the value bound the largest with 3 · bound < 2^41, and the sums reach ±3 · bound,
    /// within 1 of ±(2^41 − 1). The transcript (DKG included) audits.
    @Test func threeParticipantsRunTheDKGAndARoundAtTheLargestValues() async throws {
        let run = try OneShotRun(keys: testKeys)
        let ids = ["brand-a", "brand-b", "brand-c"]
        let bound = ((Int64(1) << 41) - 1) / 3
        #expect(try MaskParameters.plan(maxContributors: 3, maxAbsSum: 3 * bound).messageBits == 42)
        #expect(throws: LatticeError.self) { try MaskParameters.plan(maxContributors: 3, maxAbsSum: 3 * (bound + 1)) }
        let vectors: [[Int64]] = [[bound, -bound, bound, -bound, 0, bound, 1],
                                  [bound, -bound, -bound, bound, 0, -bound, -bound],
                                  [bound, -bound, 0, 0, 0, bound - 1, bound]]
        let (coordinator, port) = try await run.coordinator(job: try run.job("bounds-3", length: 7, bound: bound), timeout: 60)
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0]) }
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        let result = try printedResult(coordinator)
        #expect(result.sums == columnSums(vectors))
        #expect(result.sums[0] == 3 * bound && result.sums[1] == -3 * bound && (Int64(1) << 41) - 1 - result.sums[0] <= 1)
        #expect(result.contributors == ids)
        let spec = try Tessera_V1_JobSpec(serializedBytes: try #require(try CoordinatorStore(path: run.coordinatorState).jobs().first).spec)
        #expect(spec.scheme == "one-shot" && spec.oneShot.messageBits == 42 && spec.oneShot.blocks == 1)
        #expect(coordinator.output.contains("DKG done: federation key ready"))
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        try expectSameKey(run, participants: ids, qualified: ids)
        let report = try await run.audit()
        #expect(report.keys.count == 1 && report.keys.first?.qualified == ids && report.keys.first?.verificationKeys == 3)
        #expect(report.jobs == 1 && report.rounds == 1)
    }

    /// A job whose values cannot fit any b the planner allows (3 · (bound + 1) ≥ 2^41 needs
    /// b = 43, and 3 · 2^19 ≥ 2^(63−43)) is refused with the planner's reason, before any DKG.
    @Test func aJobBeyondTheLargestMessageSpaceIsRefused() async throws {
        let run = try OneShotRun(keys: testKeys)
        let bound = ((Int64(1) << 41) - 1) / 3 + 1
        let process = try NodeProcess("tessera-coordinator", ["serve", "--keys", run.keys, "--listen", "127.0.0.1:0", "--state", run.coordinatorState,
                                                              "--job", try run.job("too-wide", length: 4, bound: bound), "--exit-after-job"],
                                      in: run.dir, name: "coordinator")
        let status = try await process.waitForExit(timeout: 30)
        #expect(status != 0, "\(process.output.suffix(2000))")
        #expect(process.output.contains("one-shot") && process.output.contains("contributors"), "\(process.output.suffix(2000))")
        #expect(!process.output.contains("DKG"))
    }

    /// keys/test-5 (t = 3): brand-b seals brand-a a share that does not match its commitments.
    /// brand-a complains naming brand-b; brand-b's justification reveals the true share, which
    /// verifies, so brand-b stays qualified (GJKR), brand-a uses the revealed share, and brand-a
    /// and brand-b (the first holders asked) decrypt the round exactly.
    @Test func aBadShareAnsweredHonestlyKeepsTheDealerQualified() async throws {
        let run = try OneShotRun(keys: testKeys5)
        let ids = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e"]
        let faults = try run.faults([["kind": "dkg-bad-share", "participant": "brand-b", "target": "brand-a", "round": 0]])
        let (coordinator, port) = try await run.coordinator(job: try run.job("justified", length: 6, minParticipants: 2), timeout: 60)
        let vectors = ids.indices.map { i in (0..<6).map { Int64($0 * 100 - i * 7) } }
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0], faults: faults) }
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        let result = try printedResult(coordinator)
        #expect(result.sums == columnSums(vectors) && result.contributors == ids)
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        #expect(logHas(nodes[0].output, "DKG: complaint", "dealer=brand-b", "reason=the share does not match the dealer's commitments"), "\(nodes[0].output.prefix(4000))")
        #expect(logHas(nodes[1].output, "revealing the shares complained about", "holders=brand-a"))
        #expect(occurrences("DKG: complaint", in: nodes.map(\.output).joined()) == 1)
        try expectSameKey(run, participants: ids, qualified: ids)
        // The transcript holds the complaint and the justification; the audit recomputes QUAL.
        let entries = try CoordinatorStore(path: run.coordinatorState).transcript()
        #expect(entries.filter { $0.kind == "dkg_justification" }.map(\.author) == ["brand-b"])
        let report = try await run.audit()
        #expect(report.keys.first?.qualified == ids && report.keys.first?.excluded.isEmpty == true)
        // brand-a, whose share of brand-b's dealing came from the justification, answered.
        let partials = entries.filter { $0.kind == "partial_decryptions" }.map(\.author)
        #expect(partials.contains("brand-a") && partials.contains("brand-b"), "\(partials)")
    }

    /// keys/test-5: brand-b seals brand-a a bad share and answers the complaint with a share
    /// that does not match its commitments either: it is disqualified, with the reason in the
    /// coordinator's DKG log, in the DKG result, and in the auditor's recomputation; the key
    /// forms from the other four (≥ t + 1), and brand-b refuses the job (its contribution would
    /// not count; the coordinator's own refusal of one is in the bad-input test).
    @Test func aBadShareAnsweredFalselyDisqualifiesTheDealer() async throws {
        let run = try OneShotRun(keys: testKeys5)
        let ids = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e"]
        let qualified = ["brand-a", "brand-c", "brand-d", "brand-e"]
        let faults = try run.faults([["kind": "dkg-false-justification", "participant": "brand-b", "target": "brand-a", "round": 0]])
        let (coordinator, port) = try await run.coordinator(job: try run.job("unjustified", length: 6, minParticipants: 2), timeout: 60)
        let vectors = ids.indices.map { i in (0..<6).map { Int64($0 * 100 + i) } }
        let nodes = try ids.enumerated().map { try run.participant($1, port: port, values: vectors[$0], faults: faults) }
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        let reason = "did not answer brand-a's complaint with shares that match its commitments"
        #expect(coordinator.output.contains("DKG done: federation key ready"))
        #expect(coordinator.output.contains("excluded=brand-b: \(reason)"), "\(coordinator.output.prefix(6000))")
        let result = try printedResult(coordinator)
        #expect(result.contributors == qualified)
        #expect(result.sums == columnSums([vectors[0], vectors[2], vectors[3], vectors[4]]))
        // The disqualified dealer keeps the key (it is public) but refuses to contribute.
        #expect(logHas(nodes[1].output, "DKG: this holder was not qualified", "reason=\(reason)"))
        #expect(logHas(nodes[1].output, "job decision", "accept=false", "disqualified in the DKG"), "\(nodes[1].output.suffix(3000))")
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        try expectSameKey(run, participants: ids, qualified: qualified)

        let store = try CoordinatorStore(path: run.coordinatorState)
        #expect(try store.allSubmissions().map(\.participant).sorted() == qualified)
        let entries = try store.transcript()
        let dkgResult = try #require(entries.first { $0.kind == "dkg_result" })
        guard case .dkgResult(let recorded) = try body(of: dkgResult.envelope).payload else { throw TestFailure("not a DKG result") }
        #expect(recorded.qualified == qualified && recorded.excluded.map(\.holder) == ["brand-b"] && recorded.excluded.first?.reason == reason)
        let report = try await run.audit()
        #expect(report.keys.first?.qualified == qualified)
        #expect(report.keys.first.map { $0.excluded.map(\.holder) == ["brand-b"] && $0.excluded.first?.reason == reason } == true)

        // A DKG result re-signed with another reason (or none) does not audit.
        let coordinatorKey = try NodeKeys.coordinator(directory: run.keys).signingKey
        for forged in ["did not deal in time", nil] {
            var b = try body(of: dkgResult.envelope)
            b.payload = .dkgResult(.with {
                $0 = recorded
                $0.excluded = forged.map { r in [.with { $0.holder = "brand-b"; $0.reason = r }] } ?? []
            })
            var tampered = entries
            let i = entries.firstIndex { $0.kind == "dkg_result" }!
            tampered[i] = Transcript.Entry(position: entries[i].position, author: entries[i].author, kind: entries[i].kind,
                                           envelope: try SignedEnvelope.seal(b, with: coordinatorKey).serializedData(), chain: entries[i].chain)
            let exported = run.dir + "/export"
            let failure = try await #require(throws: Auditor.Failure.self) {
                try await Auditor(federation: try run.federation(), maskedVectors: MaskedVectorFiles.reader(exported)).audit(relinked(tampered))
            }
            #expect(failure.position == entries[i].position && failure.reason.contains("excluded"), "\(failure)")
        }
    }

    /// keys/test-5: brand-e is offline while the DKG runs. The coordinator starts it once t + 1
    /// holders are connected and the round timeout has passed, waits out the deal phase, and
    /// the key forms from the four dealers. brand-e, started afterwards, follows the recorded
    /// DKG (its late messages refused as closed, nothing stored for them), keeps the key, and
    /// refuses the job (outside QUAL) while the round decrypts from the others.
    @Test func aHolderOfflineDuringTheDKGIsLeftOutAndTheKeyForms() async throws {
        let run = try OneShotRun(keys: testKeys5)
        let ids = ["brand-a", "brand-b", "brand-c", "brand-d", "brand-e"]
        let online = Array(ids.prefix(4))
        let (coordinator, port) = try await run.coordinator(job: try run.job("offline", length: 5, minParticipants: 2), timeout: 4)
        let vectors = ids.indices.map { i in (0..<5).map { Int64(i * 10 + $0) } }
        var nodes = try online.enumerated().map { try run.participant($1, port: port, values: vectors[$0]) }
        try await coordinator.waitFor("DKG done: federation key ready", timeout: 60)
        #expect(coordinator.output.contains("excluded=brand-e: did not deal in time"), "\(coordinator.output.suffix(3000))")
        nodes.append(try run.participant("brand-e", port: port, values: vectors[4]))
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        let result = try printedResult(coordinator)
        #expect(result.contributors == online && result.sums == columnSums(Array(vectors.prefix(4))))
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        let late = nodes[4].output
        #expect(logHas(late, "DKG: this holder was not qualified", "reason=did not deal in time"), "\(late.suffix(3000))")
        #expect(late.contains("code=round_closed"), "\(late.suffix(3000))")
        #expect(logHas(late, "job decision", "accept=false", "disqualified in the DKG"), "\(late.suffix(3000))")
        try expectSameKey(run, participants: ids, qualified: online)
        let store = try CoordinatorStore(path: run.coordinatorState)
        #expect(try store.dkgMessages(epoch: Data(try run.federation().epoch), phase: "deal").map(\.author) == online)
        #expect(try store.dkgMessages(epoch: Data(try run.federation().epoch), phase: "complain").map(\.author) == online)
        #expect(try !store.hasSubmission(job: "offline", round: 1, participant: "brand-e"))
        #expect(try await run.audit().keys.first?.qualified == online)
    }

    /// keys/test: a holder killed in the middle of the DKG (its deal, or its confirmation,
    /// stored but not sent) is restarted: it re-sends what it stored, from the same dealing,
    /// and the key forms (its share matches its verification key, checked when it keeps the
    /// key, and the round decrypts).
    @Test(arguments: ["dkg-deal-stored", "dkg-confirmation-stored"])
    func aHolderRestartedInTheMiddleOfTheDKG(point: String) async throws {
        let run = try OneShotRun(keys: testKeys)
        let ids = ["brand-a", "brand-b", "brand-c"]
        let epoch = Data(try run.federation().epoch)
        let (coordinator, port) = try await run.coordinator(job: try run.job("restart-\(point)", length: 4), timeout: 60)
        let vectors = ids.indices.map { i in (0..<4).map { Int64(i - $0) } }
        let crashing = try run.participant("brand-b", port: port, values: vectors[1], name: "brand-b-crashing", environment: ["TESSERA_CRASH_POINT": point])
        var nodes = [try run.participant("brand-a", port: port, values: vectors[0]), try run.participant("brand-c", port: port, values: vectors[2])]
        #expect(try await crashing.waitForExit(timeout: 60) == 86, "\(crashing.output.suffix(2000))")
        let stored = try ParticipantStore(path: run.participantState("brand-b"))
        let dealing = try stored.dealing(epoch: epoch) { throw TestFailure("brand-b stored no dealing") }
        #expect(try stored.hasSentDKG(epoch: epoch, phase: point == "dkg-deal-stored" ? "deal" : "confirmation"))
        #expect(try stored.federationKey(epoch: epoch) == nil)
        nodes.insert(try run.participant("brand-b", port: port, values: vectors[1]), at: 1)
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(3000))")
        #expect(try printedResult(coordinator).sums == columnSums(vectors))
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        #expect(try ParticipantStore(path: run.participantState("brand-b")).dealing(epoch: epoch) { Data() } == dealing)
        try expectSameKey(run, participants: ids, qualified: ids)
        // One deal per holder reached the coordinator; the transcript audits.
        #expect(try CoordinatorStore(path: run.coordinatorState).dkgMessages(epoch: epoch, phase: "deal").map(\.author) == ids)
        #expect(try await run.audit().keys.first?.qualified == ids)
    }
}

/// Re-links a transcript's chain after a deliberate edit, so that only the semantic checks can catch it.
func relinked(_ entries: [Transcript.Entry]) -> [Transcript.Entry] {
    var previous = Transcript.genesis
    return entries.enumerated().map { i, e in
        let chain = Transcript.link(previous: previous, position: i + 1, author: e.author, kind: e.kind, envelope: e.envelope)
        previous = chain
        return Transcript.Entry(position: i + 1, author: e.author, kind: e.kind, envelope: e.envelope, chain: chain)
    }
}
