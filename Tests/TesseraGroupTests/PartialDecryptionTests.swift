import Testing
@testable import TesseraGroup
import TesseraRandom

@Suite struct PartialDecryptionTests {
    let fed = Federation.shared
    let context = Array("job-3/round-1/decryption".utf8)

    func aggregate(_ seed: UInt64) async throws -> [ElGamalCiphertext] {
        var rng = ChaCha20DRBG(seed: Seed(seed))
        let a = try await fed.encryptor.encrypt([[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11]], using: &rng).ciphertexts
        let b = try await fed.encryptor.encrypt([[8, 7, 6, 5, 4, 3, 2, 1], [0, 0, 100]], using: &rng).ciphertexts
        return try await ElGamalCiphertext.sum([a, b])
    }

    @Test func honestPartialsVerifyInParallelAndRoundTrip() async throws {
        let c = try await aggregate(330)
        var rng = ChaCha20DRBG(seed: Seed(331))
        let p = try await fed.shares[1].partialDecrypt(c.map(\.c1), context: context, using: &rng, parallelism: twoThreads)
        #expect(p.shares.count == 2 && p.shares.allSatisfy { $0.count == 8 })
        _ = try await fed.verificationKeys[1].verify(p, of: c.map(\.c1), context: context)
        _ = try await fed.verificationKeys[1].verify(p, of: c.map(\.c1), context: context, parallelism: twoThreads)
        let decoded = try ElGamalPartialDecryption(index: 2, encodedShares: p.encodedShares, groups: 2, keys: 8,
                                                   encodedProof: p.proof.encoded)
        #expect(decoded == p)
        // The same nonces give the same proof with 1 or 2 threads.
        var r1 = ChaCha20DRBG(seed: Seed(332)), r2 = ChaCha20DRBG(seed: Seed(332))
        let s = try await fed.shares[0].partialDecrypt(c.map(\.c1), context: context, using: &r1)
        let t = try await fed.shares[0].partialDecrypt(c.map(\.c1), context: context, using: &r2, parallelism: twoThreads)
        #expect(s == t)
    }

    @Test func aWrongShareIsRejectedNamingTheHolder() async throws {
        let c = try await aggregate(333)
        var rng = ChaCha20DRBG(seed: Seed(334))
        // Holder 4 decrypts with a share that is off by one in key component 6 (its stored secrets, altered).
        let stored = fed.shares[3].serialized
        let secrets = try [Scalar](concatenated: stored.suffix(8 * 32), count: 8, what: "secret")
        let wrong = try ElGamalKeyShare(index: 4, secrets: secrets.enumerated().map { l, x in l == 6 ? x + .one : x })
        let p = try await wrong.partialDecrypt(c.map(\.c1), context: context, using: &rng)
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 4, reason: "the proof does not verify")) {
            _ = try await fed.verificationKeys[3].verify(p, of: c.map(\.c1), context: context)
        }
        // An honest proof over altered shares, and over other aggregates or another context, fails too.
        let honest = try await fed.shares[3].partialDecrypt(c.map(\.c1), context: context, using: &rng)
        var shares = honest.shares
        shares[1][7] = shares[1][7] + .generator
        let altered = ElGamalPartialDecryption(index: 4, shares: shares, proof: honest.proof)
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 4, reason: "the proof does not verify")) {
            _ = try await fed.verificationKeys[3].verify(altered, of: c.map(\.c1), context: context)
        }
        let other = try await aggregate(335)
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 4, reason: "the proof does not verify")) {
            _ = try await fed.verificationKeys[3].verify(honest, of: other.map(\.c1), context: context)
        }
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 4, reason: "the proof does not verify")) {
            _ = try await fed.verificationKeys[3].verify(honest, of: c.map(\.c1), context: Array("job-3/round-2".utf8))
        }
    }

    @Test func aSwappedHolderIndexIsRejected() async throws {
        let c = try await aggregate(336)
        var rng = ChaCha20DRBG(seed: Seed(337))
        let p = try await fed.shares[0].partialDecrypt(c.map(\.c1), context: context, using: &rng)
        // Holder 1's values presented as holder 2's: the index is in every hash and X₂ ≠ X₁.
        let relabelled = ElGamalPartialDecryption(index: 2, shares: p.shares, proof: p.proof)
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 2, reason: "the proof does not verify")) {
            _ = try await fed.verificationKeys[1].verify(relabelled, of: c.map(\.c1), context: context)
        }
        // Checked against the wrong holder's key.
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 1, reason: "checked against the key of holder 2")) {
            _ = try await fed.verificationKeys[1].verify(p, of: c.map(\.c1), context: context)
        }
    }

    @Test func combinationRefusesFewerThanTDuplicatesAndOtherAggregates() async throws {
        let c = try await aggregate(338)
        var rng = ChaCha20DRBG(seed: Seed(339))
        let v = try await fed.verifiedPartials(c.map(\.c1), holders: [1, 2, 3, 4], context: context, rng: &rng)
        await #expect(throws: GroupError.notEnoughHolders(needed: 3, found: 2)) {
            _ = try await ElGamalCombiner.combine(c, partials: [v[0], v[1]], threshold: 3)
        }
        await #expect(throws: GroupError.duplicateHolder(2)) {
            _ = try await ElGamalCombiner.combine(c, partials: [v[1], v[0], v[1]], threshold: 3)
        }
        let other = try await aggregate(340)
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 1, reason: "verified for other aggregates than these ciphertexts")) {
            _ = try await ElGamalCombiner.combine(other, partials: Array(v.prefix(3)), threshold: 3)
        }
        // Four holders (more than t) interpolate the same values as three.
        let three = try await ElGamalCombiner.combine(c, partials: Array(v.prefix(3)), threshold: 3)
        let four = try await ElGamalCombiner.combine(c, partials: v, threshold: 3, parallelism: twoThreads)
        #expect(three == four)
        #expect(three[1] == [9, 10, 111].map { GroupElement.base(Scalar(UInt64($0))) })
    }

    /// A holder that knows its share but shifts D_{0,l} by +G and D_{1,l} by −G (so that the
    /// plain sum over groups is unchanged) and then proves honestly about the batch: the random
    /// coefficients ρ_g make D*_l ≠ x_l·A*, so no proof exists. Without them it would pass.
    @Test func errorsThatCancelAcrossGroupsAreCaught() async throws {
        let c = try await aggregate(341)
        let a = c.map(\.c1)
        let share = fed.shares[2], key = fed.verificationKeys[2]
        var rng = ChaCha20DRBG(seed: Seed(342))
        var shares = try await share.partialDecrypt(a, context: context, using: &rng).shares
        shares[0][5] = shares[0][5] + .generator
        shares[1][5] = shares[1][5] - .generator
        let sigma = PartialDecryptionBatch.seed(context: context, index: 3, key: key.points, aggregates: a, shares: shares)
        let rho = PartialDecryptionBatch.coefficients(seed: sigma, count: a.count)
        let (aStar, dStar) = try await PartialDecryptionBatch.combine(aggregates: a, shares: shares, rho: rho, keys: 8, parallelism: .serial)
        let k = (0..<8).map { _ in Scalar.random(using: &rng) }
        let t1 = k.map { GroupElement.base($0) }, t2 = k.map { aStar.multiplied(by: $0) }
        let e = PartialDecryptionBatch.challenge(context: context, index: 3, seed: sigma, key: key.points,
                                                 aStar: aStar, dStar: dStar!, t1: t1, t2: t2)
        let z = (0..<8).map { k[$0] + e * share.secrets[$0] }
        let cheat = ElGamalPartialDecryption(index: 3, shares: shares, proof: .init(challenge: e, responses: z))
        await #expect(throws: GroupError.invalidPartialDecryption(holder: 3, reason: "the proof does not verify")) {
            _ = try await key.verify(cheat, of: a, context: context)
        }
        // The same construction over the honest shares verifies (the test's prover is sound).
        let honest = try await share.partialDecrypt(a, context: context, using: &rng)
        _ = try await key.verify(honest, of: a, context: context)
    }
}
