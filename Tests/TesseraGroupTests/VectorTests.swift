import Testing
@testable import TesseraGroup
import TesseraRandom

/// protocol/vectors/elgamal.json: regenerated from its seed it is identical, and every field
/// is recomputed from the file's own inputs (coefficients, messages, randomness, nonces).
@Suite struct VectorTests {
    @Test func theFileIsWhatTheGeneratorWrites() async throws {
        let file = try Vectors.load()
        #expect(file.seed == hex(Seed(1).derive("elgamal").bytes))
        let regenerated = try await ElGamalVectors.generate(seed: Seed(bytes: bytes(file.seed)))
        // Byte for byte (a mismatch prints two sizes, not two files).
        #expect(try ElGamalVectors.encode(regenerated) == Vectors.data())
    }

    @Test func everyFieldRecomputes() async throws {
        let file = try Vectors.load()
        let (t, n, keys) = (file.threshold, file.holders, file.keys)
        #expect((t, n, keys) == (2, 3, 2))

        // Dealings: commitments, shares, serialization.
        var commitments: [[[GroupElement]]] = []
        for dealer in file.dealers {
            let polynomials = try dealer.polynomials.map { try SecretPolynomial(coefficients: try $0.map(scalar)) }
            let dealing = try Dealing(polynomials: polynomials, holders: n)
            #expect(dealing.commitments == (try dealer.commitments.map { try $0.map(point) }))
            #expect(hex(dealing.serialized) == dealer.serialized)
            for share in dealer.shares {
                let values = try share.values.map(scalar)
                #expect(try dealing.shares(for: share.holder) == values)
                #expect(Dealing.verify(shares: values, index: share.holder, commitments: dealing.commitments))
            }
            commitments.append(dealing.commitments)
        }
        #expect(file.qualified == [1, 2, 3])
        let publicKey = try Dealing.publicKey(commitments)
        #expect(publicKey.keys == (try file.publicKey.map(point)))

        // Key shares and verification keys.
        var keyShares: [ElGamalKeyShare] = []
        var verificationKeys: [ElGamalVerificationKey] = []
        for k in file.keyShares {
            let summed = try ElGamalKeyShare(index: k.index, summing: try file.dealers.map { d in
                try d.shares.first { $0.holder == k.index }!.values.map(scalar)
            })
            #expect(hex(summed.serialized) == k.serialized)
            let restored = try ElGamalKeyShare(serialized: bytes(k.serialized))
            let vk = try Dealing.verificationKey(index: k.index, commitments)
            #expect(vk.points == (try k.verificationKey.map(point)))
            #expect(restored.verificationKey == vk)
            #expect(try restored.secrets == k.secrets.map(scalar))
            keyShares.append(restored)
            verificationKeys.append(vk)
        }

        // Submissions: ciphertexts from the given randomness, proofs from the given nonces.
        let encryptor = ElGamalEncryptor(publicKey: publicKey)
        var vectors: [[ElGamalCiphertext]] = []
        for s in file.submissions {
            let randomness = try s.randomness.map { ElGamalRandomness(try scalar($0)) }
            let ciphertexts = try zip(s.messages, randomness).map { try encryptor.encrypt($0, randomness: $1) }
            #expect(ciphertexts == (try s.ciphertexts.map(Self.ciphertext)))
            let proof = try await RandomnessProof.prove(ElGamalEncryption(ciphertexts: ciphertexts, randomness: randomness),
                                                        nonces: try s.proofNonces.map(scalar), publicKey: publicKey,
                                                        context: bytes(s.context), parallelism: .serial)
            #expect(proof == (try Self.proof(s.proof)))
            try await proof.verify(ciphertexts, publicKey: publicKey, context: bytes(s.context))
            vectors.append(ciphertexts)
        }
        let aggregate = try await ElGamalCiphertext.sum(vectors)
        #expect(aggregate == (try file.aggregate.map(Self.ciphertext)))

        // Partial decryptions from the given nonces, each verified.
        let context = bytes(file.decryptionContext)
        var verified: [VerifiedElGamalPartial] = []
        for (p, share) in zip(file.partials, keyShares) {
            let recomputed = try await share.partialDecrypt(aggregate.map(\.c1), context: context,
                                                            nonces: try p.nonces.map(scalar), parallelism: .serial)
            let stored = try Self.partial(index: p.index, shares: p.shares, proof: p.proof)
            #expect(recomputed == stored)
            verified.append(try await verificationKeys[p.index - 1].verify(stored, of: aggregate.map(\.c1), context: context))
        }

        // Combination: Lagrange coefficients, points m·G for the summed messages, the table's answers.
        let combination = file.combination
        #expect(try Lagrange.coefficientsAtZero(for: combination.holders) == combination.lagrange.map(scalar))
        let sums = zip(file.submissions[0].messages, file.submissions[1].messages).map { zip($0, $1).map { $0 + $1 } }
        let expectedPoints = sums.map { $0.map { GroupElement.base(Scalar($0)) } }
        #expect(try combination.points.map { try $0.map(point) } == expectedPoints)
        for pair in [[1, 2], [1, 3], [2, 3]] {
            #expect(try await ElGamalCombiner.combine(aggregate, partials: pair.map { verified[$0 - 1] }, threshold: t) == expectedPoints)
        }
        let d = combination.discreteLog
        let table = try await DiscreteLogTable(plan: try DiscreteLogPlan.plan(base: d.base, digits: d.digits, expectedDigit: d.expectedDigit))
        #expect(table.plan.babyDigits == d.babyDigits)
        #expect(expectedPoints.map { $0.map { table.solve($0) } } == combination.solved)
        #expect(combination.solved == sums.map { $0.map { $0 < 531_441 ? $0 : nil } })
    }

    @Test func everyInvalidCaseIsRejected() async throws {
        let file = try Vectors.load()
        let publicKey = try ElGamalPublicKey(keys: try file.publicKey.map(point))
        for bad in file.invalid.shares {
            let dealer = file.dealers[bad.dealer - 1]
            let commitments = try dealer.commitments.map { try $0.map(point) }
            #expect(!Dealing.verify(shares: try bad.values.map(scalar), index: bad.holder, commitments: commitments), "\(bad.description)")
        }
        #expect(file.invalid.randomnessProofs.count == 4)
        for bad in file.invalid.randomnessProofs {
            await #expect(throws: GroupError.invalidRandomnessProof, "\(bad.description)") {
                try await Self.proof(bad.proof).verify(try bad.ciphertexts.map(Self.ciphertext), publicKey: publicKey,
                                                       context: bytes(bad.context))
            }
        }
        let aggregates = try file.aggregate.map { try point($0.c1) }
        #expect(file.invalid.partials.count == 3)
        for bad in file.invalid.partials {
            let key = try ElGamalVerificationKey(index: bad.index, points: try file.keyShares[bad.index - 1].verificationKey.map(point))
            let partial = try Self.partial(index: bad.index, shares: bad.shares, proof: bad.proof)
            await #expect(throws: GroupError.invalidPartialDecryption(holder: bad.index, reason: "the proof does not verify"), "\(bad.description)") {
                _ = try await key.verify(partial, of: aggregates, context: bytes(file.decryptionContext))
            }
        }
        for bad in file.invalid.encodings {
            if bad.kind == "point" {
                #expect(throws: GroupError.invalidPoint(what: "point", index: nil), "\(bad.description)") { try point(bad.bytes) }
            } else {
                #expect(throws: GroupError.nonCanonicalScalar(what: "scalar", index: nil), "\(bad.description)") { try scalar(bad.bytes) }
            }
        }
    }

    static func ciphertext(_ c: ElGamalVectors.Ciphertext) throws -> ElGamalCiphertext {
        ElGamalCiphertext(c1: try point(c.c1), c2: try c.c2.map(point))
    }

    static func proof(_ p: ElGamalVectors.Proof) throws -> RandomnessProof {
        RandomnessProof(challenge: try scalar(p.challenge), responses: try p.responses.map(scalar))
    }

    static func partial(index: Int, shares: [[String]], proof: ElGamalVectors.Proof) throws -> ElGamalPartialDecryption {
        ElGamalPartialDecryption(index: index, shares: try shares.map { try $0.map(point) },
                                 proof: .init(challenge: try scalar(proof.challenge), responses: try proof.responses.map(scalar)))
    }
}
