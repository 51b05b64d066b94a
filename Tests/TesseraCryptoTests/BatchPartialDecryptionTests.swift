import Testing
import TesseraCrypto
import TesseraMath
import TesseraParallel
import TesseraRandom

@Suite struct BatchPartialDecryptionTests {
    func setup(count: Int, seed: UInt64) throws -> (ThresholdPublicKey, [KeyShare], [BigInt], [Ciphertext], ChaCha20DRBG) {
        let (key, shares) = Fixtures.threshold
        var rng = ChaCha20DRBG(seed: Seed(seed))
        let encryptor = PaillierEncryptor(publicKey: key.paillier, windowBits: 4)
        let ms = (0..<count).map { _ in BigInt.random(below: key.paillier.n, using: &rng) }
        let cs = try ms.map { try encryptor.encrypt($0, using: &rng) }
        return (key, shares, ms, cs, rng)
    }

    @Test func batchedProofsVerifyAndCombine() throws {
        var (key, shares, ms, cs, rng) = try setup(count: 6, seed: 30)
        let batches = try [shares[4], shares[1], shares[2]].map { try $0.partialDecrypt(cs, using: &rng) }
        let verified = try batches.map { try key.verify($0, of: cs) }
        for j in cs.indices {
            #expect(try key.combine(verified.map { $0[j] }, of: cs[j]) == ms[j])
        }
        // Values agree with the single-ciphertext partial decryptions.
        #expect(try shares[4].partialDecrypt(cs[3], using: &rng).value == batches[0].values[3])
    }

    /// The parallel partial decryption and verification give exactly the serial results (the
    /// same values and proof for the same randomness), so --threads never changes a transcript.
    @Test func parallelBatchesEqualSerialOnes() async throws {
        let (key, shares, ms, cs, _) = try setup(count: 37, seed: 32)
        var serialRNG = ChaCha20DRBG(seed: Seed(33)), parallelRNG = ChaCha20DRBG(seed: Seed(33))
        let serial = try shares[2].partialDecrypt(cs, using: &serialRNG)
        let parallel = try await shares[2].partialDecrypt(cs, using: &parallelRNG, parallelism: Parallelism(threads: 3))
        #expect(serial == parallel)
        let verified = try await key.verify(parallel, of: cs, parallelism: Parallelism(threads: 3))
        let other = try await key.verify(try shares[0].partialDecrypt(cs, using: &serialRNG), of: cs, parallelism: Parallelism(threads: 2))
        let other2 = try key.verify(try shares[4].partialDecrypt(cs, using: &serialRNG), of: cs)
        for j in cs.indices { #expect(try key.combine([verified[j], other[j], other2[j]], of: cs[j]) == ms[j]) }
        // A tampered value is caught by the parallel verification too.
        var values = parallel.values
        values[20] = (values[20] * values[20]).modulo(key.paillier.nSquared)
        let tampered = BatchPartialDecryption(index: parallel.index, keyID: parallel.keyID, values: values, proof: parallel.proof)
        await #expect(throws: PaillierError.invalidProof(shareHolder: parallel.index)) {
            try await key.verify(tampered, of: cs, parallelism: Parallelism(threads: 2))
        }
    }

    @Test func anyTamperingIsCaughtAndNamesTheHolder() throws {
        var (key, shares, _, cs, rng) = try setup(count: 5, seed: 31)
        let honest = try shares[1].partialDecrypt(cs, using: &rng)
        var values = honest.values
        values[3] = (values[3] * 4).modulo(key.paillier.nSquared)
        let tampered = BatchPartialDecryption(index: 2, keyID: key.id, values: values, proof: honest.proof)
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(tampered, of: cs) }
        // The honest batch against reordered ciphertexts.
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(honest, of: Array(cs.reversed())) }
        // Holder 3's batch presented as holder 2's.
        let other = try shares[2].partialDecrypt(cs, using: &rng)
        let impostor = BatchPartialDecryption(index: 2, keyID: key.id, values: other.values, proof: other.proof)
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(impostor, of: cs) }
        // A count mismatch.
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(honest, of: Array(cs.dropLast())) }
        // A proof response off by one.
        let badProof = BatchPartialDecryption(index: 2, keyID: key.id, values: honest.values,
                                              proof: .init(challenge: honest.proof.challenge, response: honest.proof.response + 1))
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(badProof, of: cs) }
    }
}
