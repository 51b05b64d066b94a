import Testing
import TesseraGroup
import TesseraRandom

@Suite struct RandomnessProofTests {
    let fed = Federation.shared
    let alice = Array("job-7/round-2/sender=brand-a".utf8)
    let bob = Array("job-7/round-2/sender=brand-b".utf8)

    func submission(_ seed: UInt64) async throws -> (ElGamalEncryption, RandomnessProof) {
        var rng = ChaCha20DRBG(seed: Seed(seed))
        let e = try await fed.encryptor.encrypt([[1, 2, 3, 4, 5, 6, 7, 8], [9, 10], [11]], using: &rng)
        return (e, try await RandomnessProof.prove(e, publicKey: fed.publicKey, context: alice, using: &rng))
    }

    @Test func anHonestProofVerifiesAndRoundTrips() async throws {
        let (e, proof) = try await submission(320)
        try await proof.verify(e.ciphertexts, publicKey: fed.publicKey, context: alice)
        try await proof.verify(e.ciphertexts, publicKey: fed.publicKey, context: alice, parallelism: twoThreads)
        #expect(try RandomnessProof(encoded: proof.encoded, groups: 3) == proof)
        #expect(proof.encoded.count == 4 * 32)
    }

    @Test func anotherSendersContextIsRejected() async throws {
        let (e, proof) = try await submission(321)
        await #expect(throws: GroupError.invalidRandomnessProof) {
            try await proof.verify(e.ciphertexts, publicKey: fed.publicKey, context: bob)
        }
    }

    @Test func aRerandomisedCopyIsRejected() async throws {
        // Bob copies Alice's ciphertexts and adds Enc(0; r′) to one group: he knows r′, not r + r′.
        let (e, proof) = try await submission(322)
        var rng = ChaCha20DRBG(seed: Seed(323))
        let zero = try fed.encryptor.encrypt([UInt64](repeating: 0, count: 8), randomness: ElGamalRandomness(Scalar.random(using: &rng)))
        var copy = e.ciphertexts
        copy[0] = copy[0] + zero
        for ctx in [alice, bob] {
            await #expect(throws: GroupError.invalidRandomnessProof) {
                try await proof.verify(copy, publicKey: fed.publicKey, context: ctx)
            }
        }
        // Altering a c2 (not covered by the Schnorr equation) also breaks the challenge.
        var altered = e.ciphertexts
        altered[2] = ElGamalCiphertext(c1: altered[2].c1, c2: [altered[2].c2[0] + .generator])
        await #expect(throws: GroupError.invalidRandomnessProof) {
            try await proof.verify(altered, publicKey: fed.publicKey, context: alice)
        }
    }

    @Test func swappedOrAlteredResponsesAreRejected() async throws {
        let (e, proof) = try await submission(324)
        var swapped = proof.responses
        swapped.swapAt(0, 2)
        var plusOne = proof.responses
        plusOne[1] = plusOne[1] + .one
        for responses in [swapped, plusOne] {
            await #expect(throws: GroupError.invalidRandomnessProof) {
                try await RandomnessProof(challenge: proof.challenge, responses: responses)
                    .verify(e.ciphertexts, publicKey: fed.publicKey, context: alice)
            }
        }
        await #expect(throws: GroupError.shapeMismatch("2 proof responses for 3 ciphertext groups")) {
            try await RandomnessProof(challenge: proof.challenge, responses: Array(proof.responses.prefix(2)))
                .verify(e.ciphertexts, publicKey: fed.publicKey, context: alice)
        }
    }
}
