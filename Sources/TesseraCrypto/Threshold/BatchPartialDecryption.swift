import TesseraMath
import TesseraParallel
import TesseraRandom

/// Holder i's partial decryptions of a vector of ciphertexts with ONE proof for all of them.
///
/// Batching by random linear combination (Bellare–Garay–Rabin 1998, "Fast batch verification
/// for modular exponentiation and digital signatures", §3.1 small-exponents test, applied to
/// the equality-of-logs statement): with coefficients ρⱼ of 128 bits derived by hashing every
/// (cⱼ, cᵢⱼ), the holder proves log_{G}(H) = log_v(vᵢ) for G = (∏ cⱼ^ρⱼ)⁴ and H = (∏ cᵢⱼ^ρⱼ)².
/// All elements are squares, which in Z*_{n²} with safe primes form a group of odd order whose
/// prime factors all exceed 2^1000; if some cᵢⱼ² ≠ (cⱼ⁴)^(Δsᵢ), the combination passes only
/// with probability about 2^−128. Cost: one exponentiation per ciphertext (the partial
/// decryption itself) plus short 128-bit exponentiations, instead of three full ones.
public struct BatchPartialDecryption: Sendable, Hashable {
    public let index: Int
    public let keyID: KeyID
    public let values: [BigInt]
    public let proof: EqualityOfLogs.Proof

    public init(index: Int, keyID: KeyID, values: [BigInt], proof: EqualityOfLogs.Proof) {
        self.index = index
        self.keyID = keyID
        self.values = values
        self.proof = proof
    }
}

enum BatchCombination {
    static let coefficientBits = 128

    /// (g1, h1) = ((∏ cⱼ^ρⱼ)⁴, (∏ vⱼ^ρⱼ)²) with ρⱼ = BLAKE2b-128(T ‖ u32(j)) and
    /// T = BLAKE2b-256("tessera/dleq-batch/v1" ‖ context ‖ cⱼ ‖ vⱼ …). The products are taken in
    /// chunks on `parallelism`'s threads and then multiplied: the group is commutative, so the
    /// result does not depend on the thread count.
    static func combine(ciphertexts: [BigInt], values: [BigInt], modulus: BigInt, context: [UInt8],
                        parallelism: Parallelism) async throws -> (BigInt, BigInt) {
        let seed = self.seed(ciphertexts: ciphertexts, values: values, modulus: modulus, context: context)
        let parts: [(BigInt, BigInt)] = try await parallelism.map(ciphertexts.count, minimumChunk: 16) { range in
            [products(range, seed: seed, ciphertexts: ciphertexts, values: values, modulus: modulus)]
        }
        return finish(parts, modulus: modulus)
    }

    /// The same combination on the calling thread.
    static func combine(ciphertexts: [BigInt], values: [BigInt], modulus: BigInt, context: [UInt8]) -> (BigInt, BigInt) {
        let seed = self.seed(ciphertexts: ciphertexts, values: values, modulus: modulus, context: context)
        return finish([products(ciphertexts.indices, seed: seed, ciphertexts: ciphertexts, values: values, modulus: modulus)], modulus: modulus)
    }

    static func seed(ciphertexts: [BigInt], values: [BigInt], modulus: BigInt, context: [UInt8]) -> [UInt8] {
        let width = (modulus.bitWidth + 7) / 8
        var transcript = Array("tessera/dleq-batch/v1".utf8) + PaillierPublicKey.lengthPrefixed(context)
        transcript += withUnsafeBytes(of: UInt32(ciphertexts.count).bigEndian, Array.init)
        for (c, v) in zip(ciphertexts, values) {
            transcript += c.bigEndianBytes(length: width) + v.bigEndianBytes(length: width)
        }
        return Blake2b.hash(transcript, outputLength: 32)
    }

    /// ∏_{j∈range} cⱼ^ρⱼ and ∏_{j∈range} vⱼ^ρⱼ.
    static func products(_ range: Range<Int>, seed: [UInt8], ciphertexts: [BigInt], values: [BigInt], modulus: BigInt) -> (BigInt, BigInt) {
        var g = BigInt(1), h = BigInt(1)
        for j in range {
            let rho = BigInt(bigEndian: Blake2b.hash(seed + withUnsafeBytes(of: UInt32(j).bigEndian, Array.init), outputLength: coefficientBits / 8))
            g.formProduct(ciphertexts[j].power(rho, modulus: modulus), modulus: modulus)
            h.formProduct(values[j].power(rho, modulus: modulus), modulus: modulus)
        }
        return (g, h)
    }

    static func finish(_ parts: [(BigInt, BigInt)], modulus: BigInt) -> (BigInt, BigInt) {
        var g = BigInt(1), h = BigInt(1)
        for (pg, ph) in parts {
            g.formProduct(pg, modulus: modulus)
            h.formProduct(ph, modulus: modulus)
        }
        return (g.power(BigInt(4), modulus: modulus), h.power(BigInt(2), modulus: modulus))
    }

    static func context(keyID: KeyID, holder: Int) -> [UInt8] {
        Array("tessera/threshold-paillier/batch-partial-decryption/v1".utf8) + keyID.bytes
            + withUnsafeBytes(of: UInt32(holder).bigEndian, Array.init)
    }
}

extension KeyShare {
    /// Partial decryptions of every ciphertext with one batched proof, the exponentiations
    /// (one per ciphertext, `mpz_powm_sec`) and the batch combination in parallel.
    public func partialDecrypt<R: RandomSource>(_ cs: [Ciphertext], using rng: inout R, parallelism: Parallelism) async throws -> BatchPartialDecryption {
        guard let key = publicKey else { throw PaillierError.invalidKey("share has no public key attached") }
        for c in cs where c.keyID != key.id { throw PaillierError.keyMismatch(expected: key.id, found: c.keyID) }
        let n2 = key.paillier.nSquared
        let witness = key.delta * secret
        let exponent = witness * 2
        let values: [BigInt] = try await parallelism.map(each: cs.count, minimumChunk: 4) { i in cs[i].value.powerSecret(exponent, modulus: n2) }
        let context = BatchCombination.context(keyID: key.id, holder: index)
        let (g1, h1) = try await BatchCombination.combine(ciphertexts: cs.map(\.value), values: values, modulus: n2, context: context,
                                                          parallelism: parallelism)
        return try proof(values: values, g1: g1, h1: h1, witness: witness, context: context, key: key, using: &rng)
    }

    func proof<R: RandomSource>(values: [BigInt], g1: BigInt, h1: BigInt, witness: BigInt, context: [UInt8], key: ThresholdPublicKey,
                                using rng: inout R) throws -> BatchPartialDecryption {
        let n2 = key.paillier.nSquared
        let statement = EqualityOfLogs.Statement(modulus: n2, g1: g1, h1: h1, g2: key.verificationBase,
                                                 h2: key.verificationKeys[index - 1], context: context)
        let proof = EqualityOfLogs.prove(statement, witness: witness, witnessBits: (key.delta * n2).bitWidth, using: &rng)
        return BatchPartialDecryption(index: index, keyID: key.id, values: values, proof: proof)
    }

    /// Partial decryptions of every ciphertext with one batched proof.
    public func partialDecrypt<R: RandomSource>(_ cs: [Ciphertext], using rng: inout R) throws -> BatchPartialDecryption {
        guard let key = publicKey else { throw PaillierError.invalidKey("share has no public key attached") }
        let n2 = key.paillier.nSquared
        let witness = key.delta * secret
        var values: [BigInt] = []
        values.reserveCapacity(cs.count)
        for c in cs {
            guard c.keyID == key.id else { throw PaillierError.keyMismatch(expected: key.id, found: c.keyID) }
            values.append(c.value.powerSecret(witness * 2, modulus: n2))
        }
        let context = BatchCombination.context(keyID: key.id, holder: index)
        let (g1, h1) = BatchCombination.combine(ciphertexts: cs.map(\.value), values: values, modulus: n2, context: context)
        return try proof(values: values, g1: g1, h1: h1, witness: witness, context: context, key: key, using: &rng)
    }
}

extension ThresholdPublicKey {
    /// `verify(_:of:)` with the batch combination's exponentiations in parallel.
    public func verify(_ batch: BatchPartialDecryption, of cs: [Ciphertext], parallelism: Parallelism) async throws -> [VerifiedPartialDecryption] {
        try checkShape(batch, of: cs)
        let context = BatchCombination.context(keyID: id, holder: batch.index)
        let (g1, h1) = try await BatchCombination.combine(ciphertexts: cs.map(\.value), values: batch.values, modulus: paillier.nSquared,
                                                          context: context, parallelism: parallelism)
        return try finishVerification(batch, of: cs, g1: g1, h1: h1, context: context)
    }

    /// Verifies a batch against the ciphertexts it claims to decrypt; on success every value
    /// is a `VerifiedPartialDecryption`. A failure names the holder.
    public func verify(_ batch: BatchPartialDecryption, of cs: [Ciphertext]) throws -> [VerifiedPartialDecryption] {
        try checkShape(batch, of: cs)
        let context = BatchCombination.context(keyID: id, holder: batch.index)
        let (g1, h1) = BatchCombination.combine(ciphertexts: cs.map(\.value), values: batch.values, modulus: paillier.nSquared, context: context)
        return try finishVerification(batch, of: cs, g1: g1, h1: h1, context: context)
    }

    func checkShape(_ batch: BatchPartialDecryption, of cs: [Ciphertext]) throws {
        guard batch.keyID == id else { throw PaillierError.keyMismatch(expected: id, found: batch.keyID) }
        guard (1...shareCount).contains(batch.index) else { throw PaillierError.unknownShareHolder(index: batch.index) }
        guard batch.values.count == cs.count, !cs.isEmpty else { throw PaillierError.invalidProof(shareHolder: batch.index) }
        let n2 = paillier.nSquared
        for c in cs where c.keyID != id { throw PaillierError.keyMismatch(expected: id, found: c.keyID) }
        for v in batch.values {
            guard v.signum > 0, v < n2, BigInt.gcd(v, paillier.n) == 1 else { throw PaillierError.invalidProof(shareHolder: batch.index) }
        }
    }

    func finishVerification(_ batch: BatchPartialDecryption, of cs: [Ciphertext], g1: BigInt, h1: BigInt, context: [UInt8]) throws -> [VerifiedPartialDecryption] {
        let n2 = paillier.nSquared
        let statement = EqualityOfLogs.Statement(modulus: n2, g1: g1, h1: h1, g2: verificationBase,
                                                 h2: verificationKeys[batch.index - 1], context: context)
        guard EqualityOfLogs.verify(batch.proof, for: statement) else { throw PaillierError.invalidProof(shareHolder: batch.index) }
        return zip(batch.values, cs).map { VerifiedPartialDecryption(index: batch.index, keyID: id, value: $0, ciphertext: $1) }
    }
}
