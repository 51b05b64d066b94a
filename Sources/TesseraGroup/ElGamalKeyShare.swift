import TesseraParallel
import TesseraRandom

/// Holder j's share of the L threshold ElGamal secret keys: x_{j,l} = Σ_{i∈QUAL} f_{i,l}(j), the
/// sum of the shares every qualified dealer sent it (Joint-Feldman, Pedersen 1991 as analysed by
/// Gennaro–Jarecki–Krawczyk–Rabin 1999 §3). Secret: kept in the holder's 0600 state only;
/// `description` does not print it. This is the only type that can produce a partial decryption.
public struct ElGamalKeyShare: Sendable, CustomStringConvertible {
    public let index: Int
    let secrets: [Scalar]

    /// A share from its parts (e.g. read back from storage).
    public init(index: Int, secrets: [Scalar]) throws {
        guard index >= 1, index <= Int(UInt32.max) else { throw GroupError.invalidHolderIndex(index) }
        guard !secrets.isEmpty else { throw GroupError.invalidParameters("a key share has at least one component") }
        self.index = index
        self.secrets = secrets
    }

    /// x_{j,l} = Σ_i s_{i,j,l} over the shares `shares[i][l]` from every dealer i in QUAL
    /// (each already checked with `Dealing.verify`).
    public init(index: Int, summing shares: [[Scalar]]) throws {
        guard let keys = shares.first?.count, keys > 0 else { throw GroupError.invalidParameters("no shares to sum") }
        guard shares.allSatisfy({ $0.count == keys }) else { throw GroupError.shapeMismatch("dealers sent different numbers of key components") }
        try self.init(index: index, secrets: (0..<keys).map { l in shares.dropFirst().reduce(shares[0][l]) { $0 + $1[l] } })
    }

    /// Restores a stored share and checks it against the public verification key, so that a
    /// share of another key or a corrupted one is refused.
    public init(index: Int, secrets: [Scalar], checkedAgainst key: ElGamalVerificationKey) throws {
        try self.init(index: index, secrets: secrets)
        guard key.index == index, key.count == secrets.count, verificationKey == key else {
            throw GroupError.invalidParameters("key share \(index) does not match its verification key")
        }
    }

    public var count: Int { secrets.count }

    /// X_{j,l} = x_{j,l}·G.
    public var verificationKey: ElGamalVerificationKey {
        try! ElGamalVerificationKey(index: index, points: secrets.map { GroupElement.base($0) })
    }

    public var description: String { "ElGamalKeyShare(holder \(index), \(secrets.count) keys, secrets redacted)" }

    /// frame("tessera/elgamal/key-share/v1") ‖ u32be(j) ‖ u32be(L) ‖ x_{j,1} ‖ … ‖ x_{j,L}.
    /// Secret: write only with mode 0600.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        Framing.frame(Array(Self.tag.utf8), into: &out)
        out += Framing.u32(index) + Framing.u32(secrets.count) + secrets.concatenated
        return out
    }

    public init(serialized bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, what: "key share")
        try reader.expectTag(Self.tag)
        let index = try reader.u32()
        let count = try reader.u32()
        guard count >= 1, count <= 1 << 16 else { throw GroupError.invalidSerialization("key share: \(count) keys") }
        let secrets = try [Scalar](concatenated: try reader.take(32 * count), count: count, what: "key share secret")
        try reader.expectEnd()
        try self.init(index: index, secrets: secrets)
    }

    static let tag = "tessera/elgamal/key-share/v1"

    /// Partial decryptions D_{g,l} = x_{j,l}·A_g of the aggregated c1 values A_g (all L
    /// components of every group), with one batched proof (`ElGamalPartialDecryption`). The
    /// proof's L nonces are drawn from `rng`; the multiplications run in parallel over groups.
    ///
    /// The caller must check that `aggregates` are the sums of the round's submitted c1 values:
    /// a holder that decrypts whatever it is sent decrypts single submissions too.
    public func partialDecrypt<R: RandomSource>(_ aggregates: [GroupElement], context: [UInt8], using rng: inout R,
                                                parallelism: Parallelism = .serial) async throws -> ElGamalPartialDecryption {
        let nonces = secrets.map { _ in Scalar.random(using: &rng) }
        return try await partialDecrypt(aggregates, context: context, nonces: nonces, parallelism: parallelism)
    }

    /// With the nonces given: only for known-answer vectors (a repeated nonce reveals x_{j,l}).
    func partialDecrypt(_ aggregates: [GroupElement], context: [UInt8], nonces: [Scalar],
                        parallelism: Parallelism) async throws -> ElGamalPartialDecryption {
        guard !aggregates.isEmpty else { throw GroupError.shapeMismatch("no aggregates to decrypt") }
        precondition(nonces.count == secrets.count, "one nonce per key component")
        let x = secrets
        let shares: [[GroupElement]] = try await parallelism.map(each: aggregates.count) { g in
            x.map { aggregates[g].multiplied(by: $0) }
        }
        let key = verificationKey
        let sigma = PartialDecryptionBatch.seed(context: context, index: index, key: key.points,
                                                aggregates: aggregates, shares: shares)
        let rho = PartialDecryptionBatch.coefficients(seed: sigma, count: aggregates.count)
        let (aStar, _) = try await PartialDecryptionBatch.combine(aggregates: aggregates, shares: nil, rho: rho, keys: x.count,
                                                                  parallelism: parallelism)
        // Σ_g ρ_g·D_{g,l} = x_{j,l}·A* for honest shares: one multiplication instead of m.
        let dStar = x.map { aStar.multiplied(by: $0) }
        let t1 = nonces.map { GroupElement.base($0) }
        let t2 = nonces.map { aStar.multiplied(by: $0) }
        let e = PartialDecryptionBatch.challenge(context: context, index: index, seed: sigma, key: key.points,
                                                 aStar: aStar, dStar: dStar, t1: t1, t2: t2)
        let z = (0..<x.count).map { l in nonces[l] + e * x[l] }
        return ElGamalPartialDecryption(index: index, shares: shares,
                                        proof: ElGamalPartialDecryption.Proof(challenge: e, responses: z))
    }
}

/// Sequential reads of a serialized secret, with errors that say what was short.
struct ByteReader {
    private let bytes: [UInt8]
    private var position = 0
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - position >= n else {
            throw GroupError.invalidSerialization("\(what): truncated at byte \(position)")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func u32() throws -> Int {
        Int(try take(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    mutating func expectTag(_ tag: String) throws {
        let length = try u32()
        guard length == tag.utf8.count, Array(try take(length)) == Array(tag.utf8) else {
            throw GroupError.invalidSerialization("\(what): not a \(tag)")
        }
    }

    func expectEnd() throws {
        guard position == bytes.count else { throw GroupError.invalidSerialization("\(what): \(bytes.count - position) trailing bytes") }
    }
}
