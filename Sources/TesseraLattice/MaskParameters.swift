/// Parameters of the RLWE mask layer: ring R = Z_{2^64}[X]/(X^n + 1), messages of b bits in
/// the HIGH bits (scaled by Δ = 2^(64−b)), errors uniform in [−2^19, 2^19), secrets
/// centred binomial η = 4.
///
/// The mask is a ring-LWE sample a·s + e (Lyubashevsky–Peikert–Regev, "On Ideal Lattices
/// and Learning with Errors over Rings", EUROCRYPT 2010) used as the key-additive
/// encryption (Willow, eprint 2024/936): masks under s_1, …, s_P add up to a mask under
/// Σ s_i, so one short key sum unmasks the sum. Rules the parameters enforce:
/// - the message sits in the high bits: with it in the low bits (t | q) every equation would
///   be noise-free mod t;
/// - η = 4 and 19 error bits only, the point of the security estimate (ONE-SHOT.md); no
///   ternary or binary secret and no rounding (LWR) in place of errors;
/// - n ≥ 2048.
public struct MaskParameters: Sendable, Hashable, CustomStringConvertible {
    public static let supportedErrorBits = 19
    public static let supportedEta = 4

    public let n: Int
    public let messageBits: Int
    public let errorBits: Int
    public let eta: Int

    public init(n: Int = 2048, messageBits: Int, errorBits: Int = 19, eta: Int = 4) throws {
        guard n >= 2048, n <= 1 << 16, n & (n - 1) == 0 else {
            throw LatticeError.invalidParameters("n must be a power of two in 2048...65536, not \(n)")
        }
        guard errorBits == Self.supportedErrorBits, eta == Self.supportedEta else {
            throw LatticeError.invalidParameters("only errorBits = 19 and η = 4 are supported (the security estimate's point), not errorBits = \(errorBits), η = \(eta)")
        }
        guard messageBits >= 1, messageBits <= 62 else {
            throw LatticeError.invalidParameters("messageBits must be in 1...62, not \(messageBits)")
        }
        // At least one contributor must decode: 2^errorBits < Δ/2.
        guard messageBits < 63 - errorBits else {
            throw LatticeError.tooManyContributors(contributors: 1, messageBits: messageBits, errorBits: errorBits, limit: 0)
        }
        self.n = n
        self.messageBits = messageBits
        self.errorBits = errorBits
        self.eta = eta
    }

    /// 64 − b: Δ = 2^shift.
    public var shift: Int { 64 - messageBits }
    /// Δ = 2^(64−b).
    public var delta: UInt64 { 1 << UInt64(shift) }
    /// The values one contributor may mask: [−2^(b−1), 2^(b−1)).
    public var valueRange: ClosedRange<Int64> { (-(Int64(1) << (messageBits - 1)))...((Int64(1) << (messageBits - 1)) - 1) }

    /// The most contributors that decode exactly: the largest P with P·2^errorBits < Δ/2
    /// (then Σe ∈ [−P·2^19, P·2^19 − P] ⊂ [−Δ/2, Δ/2)) and η·P within the exact-product
    /// bound of the coordinator's a·S.
    public var maxContributors: Int {
        let byErrors = (1 << (63 - messageBits - errorBits)) - 1
        let byProduct = Int(SmallSecret.maximumBound(n: n)) / eta
        return min(byErrors, byProduct)
    }

    public func blockCount(length: Int) -> Int { (length + n - 1) / n }

    /// The least b with maxAbsSum < 2^(b−1), refusing when b > 62 or when
    /// maxContributors·2^19 ≥ 2^(63−b) (the summed errors could reach Δ/2).
    public static func plan(maxContributors: Int, maxAbsSum: Int64, n: Int = 2048) throws -> MaskParameters {
        guard maxContributors >= 1 else { throw LatticeError.invalidParameters("at least one contributor, not \(maxContributors)") }
        guard maxAbsSum >= 0 else { throw LatticeError.invalidParameters("maxAbsSum must be non-negative, not \(maxAbsSum)") }
        let b = (Int64.bitWidth - maxAbsSum.leadingZeroBitCount) + 1
        guard b <= 62 else { throw LatticeError.sumNeedsTooManyBits(maxAbsSum: maxAbsSum, messageBits: b) }
        try checkErrors(contributors: maxContributors, messageBits: b, errorBits: supportedErrorBits)
        let parameters = try MaskParameters(n: n, messageBits: b)
        try parameters.checkContributors(maxContributors)
        return parameters
    }

    /// Refuses P unless P·2^errorBits < 2^(63−b) = Δ/2 and η·P is within the exact-product
    /// bound of the coordinator's a·S.
    public func checkContributors(_ p: Int) throws {
        guard p >= 1 else { throw LatticeError.invalidParameters("at least one contributor, not \(p)") }
        try Self.checkErrors(contributors: p, messageBits: messageBits, errorBits: errorBits)
        let productLimit = SmallSecret.maximumBound(n: n)
        guard Int64(p) <= productLimit / Int64(eta) else {
            throw LatticeError.secretSumBoundTooLarge(contributors: p, eta: eta, limit: productLimit)
        }
    }

    static func checkErrors(contributors p: Int, messageBits b: Int, errorBits e: Int) throws {
        // P·2^e < 2^(63−b)  ⟺  P < 2^(63−b−e).
        let limit = 63 - b - e <= 0 ? 0 : (1 << (63 - b - e)) - 1
        guard p <= limit else { throw LatticeError.tooManyContributors(contributors: p, messageBits: b, errorBits: e, limit: limit) }
    }

    /// A proposal for the `parameters` field of the public-polynomial key (the protocol may
    /// define its own): "tessera/rlwe/parameters/v1" ‖ u32be(n) ‖ u8(b) ‖ u8(errorBits) ‖
    /// u8(η) ‖ u32be(blockCount).
    public func transcriptEncoding(blockCount: Int) -> [UInt8] {
        precondition(blockCount >= 0 && blockCount <= Int(UInt32.max))
        var out = Array("tessera/rlwe/parameters/v1".utf8)
        out += PublicPolynomials.bigEndian32(UInt32(n))
        out += [UInt8(messageBits), UInt8(errorBits), UInt8(eta)]
        out += PublicPolynomials.bigEndian32(UInt32(blockCount))
        return out
    }

    public var description: String { "n = \(n), b = \(messageBits), Δ = 2^\(shift), errors ±2^\(errorBits), η = \(eta)" }
}
