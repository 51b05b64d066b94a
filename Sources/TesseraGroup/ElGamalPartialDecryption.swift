import TesseraParallel

/// Holder j's partial decryptions D_{g,l} = x_{j,l}·A_g of the aggregated c1 values A_g
/// (g = 0…m−1, l = 1…L), with ONE proof for all m·L of them.
///
/// Batching: a random linear combination over the groups (the small-exponents test of
/// Bellare–Garay–Rabin 1998, here with full-size coefficients) turns the m·L equality-of-logs
/// statements into L: with ρ_g derived by hashing everything (below), A* = Σ ρ_g·A_g and
/// D*_l = Σ_g ρ_g·D_{g,l}; if any D_{g,l} ≠ x_{j,l}·A_g then D*_l ≠ x_{j,l}·A* except with
/// probability 1/ℓ. The L statements log_G X_{j,l} = log_{A*} D*_l are proved by Chaum–Pedersen
/// 1992 ("Wallet databases with observers", CRYPTO '92) with one Fiat–Shamir challenge:
///
///     σ    = BLAKE2b-512(frame("tessera/elgamal/partial-batch/v1") ‖ frame(context) ‖ frame(u32be(j))
///                        ‖ frame(X_{j,1}‖…‖X_{j,L}) ‖ frame(A₀‖…‖A_{m−1}) ‖ frame(D_{0,1}‖…‖D_{0,L}‖D_{1,1}‖…‖D_{m−1,L}))
///     ρ_g  = Scalar.hash("tessera/elgamal/partial-batch-coefficient/v1", [σ, u32be(g)])   (g from 0)
///     T1_l = k_l·G,  T2_l = k_l·A*
///     e    = Scalar.hash("tessera/elgamal/partial-decryption/v1",
///                        [context, u32be(j), σ, X_{j,1}‖…‖X_{j,L}, A*, D*_1‖…‖D*_L, T1_1‖…‖T1_L, T2_1‖…‖T2_L])
///     z_l  = k_l + e·x_{j,l};  proof = (e, z_1…z_L)
///
/// The verifier recomputes T1_l = z_l·G − e·X_{j,l} and T2_l = z_l·A* − e·D*_l. Its cost is
/// m·(L + 1) variable-base multiplications and as many additions (the prover's is about the
/// same: the m·L decryptions themselves plus A*). An identity A_g (an aggregate of randomness
/// summing to 0) is allowed: its D_{g,l} must then be the identity as well.
public struct ElGamalPartialDecryption: Sendable, Hashable {
    public struct Proof: Sendable, Hashable {
        public let challenge: Scalar
        public let responses: [Scalar]

        public init(challenge: Scalar, responses: [Scalar]) {
            self.challenge = challenge
            self.responses = responses
        }

        /// e ‖ z_1 ‖ … ‖ z_L.
        public var encoded: [UInt8] { ([challenge] + responses).concatenated }

        public init<C: Collection>(encoded: C, keys: Int) throws where C.Element == UInt8 {
            let s = try [Scalar](concatenated: encoded, count: keys + 1, what: "partial decryption proof scalar")
            self.init(challenge: s[0], responses: Array(s[1...]))
        }
    }

    public let index: Int
    /// shares[g][l − 1] = D_{g,l}.
    public let shares: [[GroupElement]]
    public let proof: Proof

    public init(index: Int, shares: [[GroupElement]], proof: Proof) {
        self.index = index
        self.shares = shares
        self.proof = proof
    }

    /// D_{0,1} ‖ … ‖ D_{0,L} ‖ D_{1,1} ‖ … ‖ D_{m−1,L}.
    public var encodedShares: [UInt8] { shares.flatMap { $0 }.concatenated }

    /// Decodes m·L shares and the proof; an invalid share is named by holder and flat index g·L + (l − 1).
    public init<C: Collection, D: Collection>(index: Int, encodedShares: C, groups m: Int, keys: Int, encodedProof: D) throws
    where C.Element == UInt8, D.Element == UInt8 {
        let flat = try [GroupElement](concatenated: encodedShares, count: m * keys, what: "decryption share of holder \(index)")
        self.init(index: index, shares: (0..<m).map { g in Array(flat[(g * keys)..<((g + 1) * keys)]) },
                  proof: try Proof(encoded: encodedProof, keys: keys))
    }
}

/// A partial decryption whose proof verified against its holder's key, for these aggregates and
/// this context. Only `ElGamalVerificationKey.verify` makes one, so `ElGamalCombiner` never
/// combines unchecked values.
public struct VerifiedElGamalPartial: Sendable {
    public let index: Int
    public let shares: [[GroupElement]]
    /// The A_g the shares decrypt.
    public let aggregates: [GroupElement]

    fileprivate init(index: Int, shares: [[GroupElement]], aggregates: [GroupElement]) {
        self.index = index
        self.shares = shares
        self.aggregates = aggregates
    }
}

extension ElGamalVerificationKey {
    /// Checks holder `index`'s partial decryptions of `aggregates`; throws
    /// `GroupError.invalidPartialDecryption` naming the holder. In parallel over groups.
    public func verify(_ partial: ElGamalPartialDecryption, of aggregates: [GroupElement], context: [UInt8],
                       parallelism: Parallelism = .serial) async throws -> VerifiedElGamalPartial {
        let j = partial.index
        guard j == index else {
            throw GroupError.invalidPartialDecryption(holder: j, reason: "checked against the key of holder \(index)")
        }
        guard !aggregates.isEmpty, partial.shares.count == aggregates.count else {
            throw GroupError.invalidPartialDecryption(holder: j, reason: "\(partial.shares.count) groups of shares for \(aggregates.count) aggregates")
        }
        if let g = partial.shares.firstIndex(where: { $0.count != count }) {
            throw GroupError.invalidPartialDecryption(holder: j, reason: "group \(g) has \(partial.shares[g].count) shares, the key has \(count) components")
        }
        guard partial.proof.responses.count == count else {
            throw GroupError.invalidPartialDecryption(holder: j, reason: "\(partial.proof.responses.count) proof responses for \(count) key components")
        }
        let sigma = PartialDecryptionBatch.seed(context: context, index: j, key: points, aggregates: aggregates, shares: partial.shares)
        let rho = PartialDecryptionBatch.coefficients(seed: sigma, count: aggregates.count)
        let (aStar, dStarOrNil) = try await PartialDecryptionBatch.combine(aggregates: aggregates, shares: partial.shares, rho: rho,
                                                                           keys: count, parallelism: parallelism)
        let dStar = dStarOrNil!
        let e = partial.proof.challenge, z = partial.proof.responses
        let t1 = (0..<count).map { l in GroupElement.base(z[l]) - points[l].multiplied(by: e) }
        let t2 = (0..<count).map { l in aStar.multiplied(by: z[l]) - dStar[l].multiplied(by: e) }
        let expected = PartialDecryptionBatch.challenge(context: context, index: j, seed: sigma, key: points,
                                                        aStar: aStar, dStar: dStar, t1: t1, t2: t2)
        guard expected == e else { throw GroupError.invalidPartialDecryption(holder: j, reason: "the proof does not verify") }
        return VerifiedElGamalPartial(index: j, shares: partial.shares, aggregates: aggregates)
    }
}

/// The hashes and linear combinations shared by prover and verifier (see `ElGamalPartialDecryption`).
enum PartialDecryptionBatch {
    static let seedDomain = "tessera/elgamal/partial-batch/v1"
    static let coefficientDomain = "tessera/elgamal/partial-batch-coefficient/v1"
    static let challengeDomain = "tessera/elgamal/partial-decryption/v1"

    static func seed(context: [UInt8], index: Int, key: [GroupElement], aggregates: [GroupElement],
                     shares: [[GroupElement]]) -> [UInt8] {
        Framing.hash512(domain: seedDomain, [context, Framing.u32(index), key.concatenated, aggregates.concatenated,
                                             shares.flatMap { $0 }.concatenated])
    }

    static func coefficients(seed: [UInt8], count: Int) -> [Scalar] {
        (0..<count).map { g in Scalar.hash(domain: coefficientDomain, [seed, Framing.u32(g)]) }
    }

    /// A* = Σ ρ_g·A_g and, with shares, D*_l = Σ_g ρ_g·D_{g,l}. Chunks sum their groups, then
    /// the chunk sums are added: the same m − 1 additions per sum whatever the thread count.
    static func combine(aggregates: [GroupElement], shares: [[GroupElement]]?, rho: [Scalar], keys: Int,
                        parallelism: Parallelism) async throws -> (GroupElement, [GroupElement]?) {
        let parts: [(GroupElement, [GroupElement]?)] = try await parallelism.map(aggregates.count) { range in
            let a = GroupElement.sum(range.lazy.map { aggregates[$0].multiplied(by: rho[$0]) })
            let d = shares.map { s in (0..<keys).map { l in GroupElement.sum(range.lazy.map { s[$0][l].multiplied(by: rho[$0]) }) } }
            return [(a, d)]
        }
        let aStar = GroupElement.sum(parts.lazy.map(\.0))
        guard shares != nil else { return (aStar, nil) }
        let dStar = (0..<keys).map { l in GroupElement.sum(parts.lazy.map { $0.1![l] }) }
        return (aStar, dStar)
    }

    static func challenge(context: [UInt8], index: Int, seed: [UInt8], key: [GroupElement], aStar: GroupElement,
                          dStar: [GroupElement], t1: [GroupElement], t2: [GroupElement]) -> Scalar {
        Scalar.hash(domain: challengeDomain, [context, Framing.u32(index), seed, key.concatenated, aStar.encoded,
                                              dStar.concatenated, t1.concatenated, t2.concatenated])
    }
}
