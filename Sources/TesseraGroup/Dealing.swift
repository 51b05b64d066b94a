import TesseraRandom

/// One participant's contribution to the distributed key generation: L secret polynomials of
/// degree t − 1 (one per key component) and their Feldman commitments.
///
/// The DKG is Joint-Feldman (Pedersen 1991, "A threshold cryptosystem without a trusted party",
/// as analysed by Gennaro–Jarecki–Krawczyk–Rabin 1999 §3–4): every participant i deals f_{i,l},
/// broadcasts A_{i,l,k} = a_{i,l,k}·G and sends f_{i,l}(j) privately to each j; recipients check
/// their shares (`verify`) and complain; QUAL is the set of dealers without upheld complaints.
/// Then H_l = Σ_{i∈QUAL} A_{i,l,0} (`publicKey`), holder j's share is Σ_{i∈QUAL} f_{i,l}(j)
/// (`ElGamalKeyShare(index:summing:)`) and its verification key comes from the summed
/// commitments (`verificationKey`). GJKR 1999 show a rushing adversary can bias the public key's
/// distribution; GJKR 2003 (CT-RSA, "Secure applications of Pedersen's distributed key
/// generation protocol") show the bias does not help against schemes whose security reduces to
/// the hardness of the key (their analysis covers threshold Schnorr; we rely on the same
/// argument for ElGamal). The complaint rounds and QUAL are the protocol's; this type is the
/// mathematics.
public struct Dealing: Sendable, CustomStringConvertible {
    /// polynomials[l] = f_{i,l}.
    public let polynomials: [SecretPolynomial]
    /// commitments[l][k] = A_{i,l,k}.
    public let commitments: [[GroupElement]]
    /// Shares are for holders 1...holders.
    public let holders: Int

    public var threshold: Int { polynomials[0].threshold }
    public var keys: Int { polynomials.count }

    public init(polynomials: [SecretPolynomial], holders: Int) throws {
        guard let t = polynomials.first?.threshold else { throw GroupError.invalidParameters("a dealing has at least one polynomial") }
        guard polynomials.allSatisfy({ $0.threshold == t }) else { throw GroupError.shapeMismatch("polynomials of different degrees") }
        guard t <= holders, holders <= Int(UInt32.max) else {
            throw GroupError.invalidParameters("threshold \(t) with \(holders) holders")
        }
        self.polynomials = polynomials
        self.holders = holders
        commitments = polynomials.map(\.commitments)
    }

    /// L random polynomials with threshold t (drawn from `rng` in order l = 1…L, each a₀…a_{t−1}).
    public static func create<R: RandomSource>(threshold t: Int, holders n: Int, keys: Int, using rng: inout R) throws -> Dealing {
        guard t >= 1, t <= n else { throw GroupError.invalidParameters("threshold \(t) of \(n) holders") }
        guard keys >= 1 else { throw GroupError.invalidParameters("\(keys) keys") }
        let polynomials = try (0..<keys).map { _ in try SecretPolynomial.random(threshold: t, using: &rng) }
        return try Dealing(polynomials: polynomials, holders: n)
    }

    /// f_{i,l}(j) for l = 1…L: what this dealer sends holder j (encrypted, off this module).
    public func shares(for index: Int) throws -> [Scalar] {
        guard (1...holders).contains(index) else { throw GroupError.invalidHolderIndex(index) }
        return polynomials.map { $0.evaluate(at: index) }
    }

    /// Holder j's check of a dealer's shares against its broadcast commitments (Horner per key
    /// component). False also when the shapes disagree.
    public static func verify(shares: [Scalar], index: Int, commitments: [[GroupElement]]) -> Bool {
        guard index >= 1, !shares.isEmpty, shares.count == commitments.count else { return false }
        let t = commitments[0].count
        guard t >= 1, commitments.allSatisfy({ $0.count == t }) else { return false }
        return zip(shares, commitments).allSatisfy { Feldman.verify(share: $0, index: index, commitments: $1) }
    }

    /// H_l = Σ_{i∈QUAL} A_{i,l,0}, from `qualified[i][l][k]`.
    public static func publicKey(_ qualified: [[[GroupElement]]]) throws -> ElGamalPublicKey {
        let keys = try keyCount(qualified)
        return try ElGamalPublicKey(keys: (0..<keys).map { l in GroupElement.sum(qualified.lazy.map { $0[l][0] }) })
    }

    /// X_{j,l} = Σ_k j^k·(Σ_{i∈QUAL} A_{i,l,k}), from `qualified[i][l][k]`.
    public static func verificationKey(index: Int, _ qualified: [[[GroupElement]]]) throws -> ElGamalVerificationKey {
        let keys = try keyCount(qualified)
        let points = try (0..<keys).map { l in Feldman.evaluate(try Feldman.aggregate(qualified.map { $0[l] }), at: index) }
        return try ElGamalVerificationKey(index: index, points: points)
    }

    private static func keyCount(_ qualified: [[[GroupElement]]]) throws -> Int {
        guard let keys = qualified.first?.count, keys > 0 else { throw GroupError.invalidParameters("no qualified dealers") }
        guard qualified.allSatisfy({ $0.count == keys && $0.allSatisfy { !$0.isEmpty } }) else {
            throw GroupError.shapeMismatch("qualified dealers committed to different numbers of keys")
        }
        return keys
    }

    /// frame("tessera/elgamal/dealing/v1") ‖ u32be(t) ‖ u32be(L) ‖ u32be(n) ‖ a_{1,0} ‖ … ‖ a_{1,t−1} ‖ a_{2,0} ‖ … ‖ a_{L,t−1}.
    /// Secret: persisted with mode 0600 so that a restarted participant re-sends the same deal.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        Framing.frame(Array(Self.tag.utf8), into: &out)
        out += Framing.u32(threshold) + Framing.u32(keys) + Framing.u32(holders)
        for p in polynomials { out += p.coefficients.concatenated }
        return out
    }

    public init(serialized bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, what: "dealing")
        try reader.expectTag(Self.tag)
        let t = try reader.u32(), keys = try reader.u32(), n = try reader.u32()
        guard t >= 1, keys >= 1, keys <= 1 << 16, t <= 1 << 16 else {
            throw GroupError.invalidSerialization("dealing: threshold \(t), \(keys) keys")
        }
        let polynomials = try (0..<keys).map { l in
            try SecretPolynomial(coefficients: try [Scalar](concatenated: try reader.take(32 * t), count: t,
                                                            what: "dealing coefficient of key \(l + 1)"))
        }
        try reader.expectEnd()
        try self.init(polynomials: polynomials, holders: n)
    }

    static let tag = "tessera/elgamal/dealing/v1"

    public var description: String { "Dealing(\(threshold) of \(holders), \(keys) keys, polynomials redacted)" }
}

extension Dealing {
    /// A dealer's broadcast: A_{l,k} for l = 1…L, k = 0…t−1, concatenated in that order.
    public static func encode(commitments: [[GroupElement]]) -> [UInt8] { commitments.flatMap { $0 }.concatenated }

    /// Decodes L·t commitments; an invalid one is named by dealer and flat index (l − 1)·t + k.
    public static func decodeCommitments<C: Collection>(_ bytes: C, keys: Int, threshold t: Int, dealer: Int) throws -> [[GroupElement]]
    where C.Element == UInt8 {
        let flat = try [GroupElement](concatenated: bytes, count: keys * t, what: "commitment of dealer \(dealer)")
        return (0..<keys).map { l in Array(flat[(l * t)..<((l + 1) * t)]) }
    }
}
