import Testing
import TesseraParallel
import TesseraSchemes

/// `InMemoryFederation`, the pipeline behind `tessera bench round --in-process`: a DKG computed
/// in memory (or a dealt Paillier key) and one round through the `Scheme` API release exactly
/// the plaintext sums, whatever the thread count.
@Suite struct InMemoryFederationTests {
    static let ids = ["brand-a", "brand-b", "brand-c", "brand-d"]

    @Test func oneShotRoundReleasesThePlaintextSums() async throws {
        let federation = try InMemoryFederation(participants: Self.ids, threshold: 3, seed: 7)
        let keys = try federation.dkg()
        #expect(keys.key.qualified == Self.ids)
        // Two blocks and a partial third: padding coefficients must decode to zero.
        let spec = try federation.vectorSumSpec(scheme: "one-shot", vectorLength: 5000, valueBound: 1 << 20, keys: keys)
        let updates = federation.randomUpdates(length: 5000, bound: 1 << 20)
        let outcome = try await federation.round(spec, updates: updates, keys: keys, parallelism: .serial)
        #expect(outcome.sums.count == 5000)
        #expect(outcome.exact)
        #expect(outcome.holders == ["brand-a", "brand-b", "brand-c"])
        #expect(outcome.phases.map(\.name) == ["submit", "check", "aggregate", "respond", "verify", "release"])
        #expect(outcome.phases.map(\.calls) == [4, 4, 1, 3, 3, 1])

        // The same round on two threads: the same submissions (seeded), the same sums.
        let parallel = try await federation.round(spec, updates: updates, keys: keys, parallelism: Parallelism(threads: 2))
        #expect(parallel.sums == outcome.sums)
        #expect(parallel.submissionBytes == outcome.submissionBytes)
    }

    @Test func aCommitteeDecryptsForEveryone() async throws {
        let ids = (1...6).map { "p\($0)" }
        let federation = try InMemoryFederation(participants: ids, holders: ["p2", "p4", "p6"], threshold: 2, seed: 3)
        let keys = try federation.dkg()
        let spec = try federation.vectorSumSpec(scheme: "one-shot", vectorLength: 100, valueBound: 1000, keys: keys)
        // Values at the bounds.
        var updates = federation.randomUpdates(length: 100, bound: 1000)
        updates["p1"]![0] = 1000
        updates["p3"]![0] = -1000
        let outcome = try await federation.round(spec, updates: updates, keys: keys)
        #expect(outcome.exact)
        #expect(outcome.holders == ["p2", "p4"])
    }

    @Test func paillierRoundReleasesThePlaintextSums() async throws {
        let federation = try InMemoryFederation(participants: Self.ids, threshold: 3, paillierBits: 512, seed: 11)
        let spec = try federation.vectorSumSpec(scheme: "paillier", vectorLength: 300, valueBound: 1 << 20)
        let updates = federation.randomUpdates(length: 300, bound: 1 << 20)
        let outcome = try await federation.round(spec, updates: updates, parallelism: Parallelism(threads: 2))
        #expect(outcome.exact)
        #expect(outcome.holders.count == 3)
    }

    @Test func aOneShotJobNeedsTheDKGsKey() throws {
        let federation = try InMemoryFederation(participants: Self.ids, threshold: 3, seed: 1)
        #expect(throws: (any Error).self) { try federation.vectorSumSpec(scheme: "one-shot", vectorLength: 10, valueBound: 10) }
        #expect(throws: (any Error).self) { try InMemoryFederation(participants: Self.ids, threshold: 2, seed: 1) }  // t ≤ n/2
    }
}
