import Testing
import TesseraGroup
import TesseraParallel
import TesseraRandom

@Suite struct ElGamalTests {
    let fed = Federation.shared
    let context = Array("job-1/round-1/decryption".utf8)

    @Test func sumOfEncryptionsDecryptsToTheSumFromRandomSubsets() async throws {
        var rng = ChaCha20DRBG(seed: Seed(310))
        // Three participants, three groups (8, 8 and 3 messages), digit-packed values of 10 contributions each.
        let shapes = [8, 8, 3]
        var vectors: [[ElGamalCiphertext]] = []
        var expected = shapes.map { [UInt64](repeating: 0, count: $0) }
        for _ in 0..<3 {
            let groups = shapes.map { n in (0..<n).map { _ in (0..<3).reduce(UInt64(0)) { v, i in v + rng.uniform(below: 27) * [1, 81, 6561][i] } } }
            for g in groups.indices { for l in groups[g].indices { expected[g][l] += groups[g][l] } }
            vectors.append(try await fed.encryptor.encrypt(groups, using: &rng).ciphertexts)
        }
        let aggregate = try await ElGamalCiphertext.sum(vectors, parallelism: twoThreads)
        #expect(aggregate == zip(zip(vectors[0], vectors[1]), vectors[2]).map { $0.0 + $0.1 + $1 })
        let table = try await sharedTable.value
        let all = try await fed.verifiedPartials(aggregate.map(\.c1), holders: [1, 2, 3, 4, 5], context: context, rng: &rng)
        for _ in 0..<4 {
            var subset = Array(0..<5)
            for i in stride(from: 4, to: 0, by: -1) { subset.swapAt(i, Int(rng.uniform(below: UInt64(i + 1)))) }
            let chosen = Array(subset.prefix(3)).map { all[$0] }
            let decrypted = try await ElGamalCombiner.decrypt(aggregate, partials: chosen, threshold: 3, table: table, parallelism: twoThreads)
            #expect(decrypted == expected, "holders \(chosen.map(\.index))")
        }
        // Two holders are not enough, and any two plus a wrong Lagrange set cannot decrypt.
        await #expect(throws: GroupError.notEnoughHolders(needed: 3, found: 2)) {
            _ = try await ElGamalCombiner.combine(aggregate, partials: Array(all.prefix(2)), threshold: 3)
        }
    }

    @Test func zeroMessagesAndAnIdentityAggregateDecrypt() async throws {
        var rng = ChaCha20DRBG(seed: Seed(311))
        let r = Scalar.random(using: &rng)
        let zero = try fed.encryptor.encrypt([0, 0, 0], randomness: ElGamalRandomness(r))
        #expect(zero.c2[0] == fed.publicKey.keys[0].multiplied(by: r))
        // Randomness r and −r: the aggregate's c1 is the identity, c2 = m·G in the open.
        let five = try fed.encryptor.encrypt([5, 0, 1], randomness: ElGamalRandomness(-r))
        let aggregate = [zero + five]
        #expect(aggregate[0].c1 == .identity)
        #expect(aggregate[0].c2 == [GroupElement.base(Scalar(5)), .identity, .generator])
        let partials = try await fed.verifiedPartials(aggregate.map(\.c1), holders: [2, 4, 5], context: context, rng: &rng)
        #expect(partials.allSatisfy { $0.shares[0].allSatisfy(\.isIdentity) })
        let table = try await sharedTable.value
        #expect(try await ElGamalCombiner.decrypt(aggregate, partials: partials, threshold: 3, table: table) == [[5, 0, 1]])
        // A sum of encryptions of zero decrypts to zero.
        let zeros = try await fed.encryptor.encrypt([[0, 0], [0]], using: &rng).ciphertexts
        let sum = try await ElGamalCiphertext.sum([zeros, zeros, zeros])
        let p = try await fed.verifiedPartials(sum.map(\.c1), holders: [1, 3, 5], context: context, rng: &rng)
        #expect(try await ElGamalCombiner.decrypt(sum, partials: p, threshold: 3, table: table) == [[0, 0], [0]])
    }

    @Test func parallelEncryptionDoesNotDependOnThreads() async throws {
        let groups: [[UInt64]] = (0..<9).map { g in (0..<8).map { UInt64(g * 8 + $0) } }
        var a = ChaCha20DRBG(seed: Seed(312)), b = ChaCha20DRBG(seed: Seed(312))
        let serial = try await fed.encryptor.encrypt(groups, using: &a, parallelism: .serial)
        let parallel = try await fed.encryptor.encrypt(groups, using: &b, parallelism: twoThreads)
        #expect(serial.ciphertexts == parallel.ciphertexts)
        #expect(serial.randomness.map(\.scalar) == parallel.randomness.map(\.scalar))
        // Group g's randomness is the documented derivation from the 32-byte seed drawn first.
        var c = ChaCha20DRBG(seed: Seed(312))
        let seed = Seed(bytes: c.bytes(32))
        var g3 = ChaCha20DRBG(seed: seed.derive("tessera/elgamal/encryption/v1/group/3"))
        #expect(serial.randomness[3].scalar == Scalar.random(using: &g3))
        #expect(serial.ciphertexts[3] == (try fed.encryptor.encrypt(groups[3], randomness: serial.randomness[3])))
    }

    @Test func encryptionRefusesOutOfRangeMessagesAndGroupSizes() async throws {
        var rng = ChaCha20DRBG(seed: Seed(313))
        await #expect(throws: GroupError.messageOutOfRange(group: 1, index: 2, value: 1 << 52)) {
            _ = try await fed.encryptor.encrypt([[1], [0, 0, 1 << 52]], using: &rng)
        }
        await #expect(throws: GroupError.invalidGroupSize(group: 0, count: 9, keys: 8)) {
            _ = try await fed.encryptor.encrypt([[UInt64](repeating: 0, count: 9)], using: &rng)
        }
        await #expect(throws: GroupError.invalidGroupSize(group: 1, count: 0, keys: 8)) {
            _ = try await fed.encryptor.encrypt([[1], []], using: &rng)
        }
        let c = try await fed.encryptor.encrypt([[(1 << 52) - 1]], using: &rng)
        #expect(c.ciphertexts[0].count == 1)
        let a = try await fed.encryptor.encrypt([[1, 2]], using: &rng).ciphertexts
        let b = try await fed.encryptor.encrypt([[1]], using: &rng).ciphertexts
        await #expect(throws: GroupError.shapeMismatch("participant 1, group 0: 1 messages, participant 0 has 2")) {
            _ = try await ElGamalCiphertext.sum([a, b])
        }
    }
}
