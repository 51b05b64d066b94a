import TesseraRandom

/// Unbiased randomized rounding of real values to the integer grid of a fixed-point scale:
/// x·scale goes to ⌊x·scale⌋ + 1 with probability equal to its fractional part, else to
/// ⌊x·scale⌋, so E[round(x)] = x·scale exactly (Kairouz, Liu and Steinke 2021, §4.1, the
/// rounding step of Algorithm 1). The coin compares the fraction, read exactly as a 53-bit
/// dyadic rational, with a uniform 53-bit integer: no floating-point comparison decides it.
/// With `conditionalBound`, the rounded vector is redrawn until its L2 norm is at most the
/// bound (KLS21's conditional randomized rounding), keeping the sensitivity the accountant
/// assumes.
public enum RandomizedRounding {
    public enum Failure: Error, CustomStringConvertible {
        case notFinite(index: Int)
        case outOfRange(index: Int)
        case boundUnreachable
        public var description: String {
            switch self {
            case .notFinite(let i): return "randomized rounding: value \(i) is not finite"
            case .outOfRange(let i): return "randomized rounding: value \(i) scales outside ±2^52"
            case .boundUnreachable: return "randomized rounding: the L2 bound was not met in 1000 draws; clip to a smaller norm first"
            }
        }
    }

    public static func round<R: RandomSource>(_ x: Double, scale: Double, using rng: inout R) throws -> Int64 {
        let y = x * scale
        guard y.isFinite else { throw Failure.notFinite(index: 0) }
        guard abs(y) < 0x1p52 else { throw Failure.outOfRange(index: 0) }
        let lower = y.rounded(.down)
        let fraction = y - lower  // exact in binary floating point for |y| < 2^52
        // fraction = m / 2^53 with m an integer (exact); round up iff U < m for U uniform in [0, 2^53).
        let m = UInt64(fraction * 0x1p53)
        let u = rng.nextUInt64() >> 11
        return Int64(lower) + (u < m ? 1 : 0)
    }

    public static func round<R: RandomSource>(_ xs: [Double], scale: Double, conditionalBound: Int64? = nil,
                                              using rng: inout R) throws -> [Int64] {
        for (i, x) in xs.enumerated() {
            guard (x * scale).isFinite else { throw Failure.notFinite(index: i) }
            guard abs(x * scale) < 0x1p52 else { throw Failure.outOfRange(index: i) }
        }
        for _ in 0..<1000 {
            let rounded = try xs.map { try round($0, scale: scale, using: &rng) }
            guard let bound = conditionalBound else { return rounded }
            if L2Clipping.squaredNorm(rounded) <= UInt128(bound) * UInt128(bound) { return rounded }
        }
        throw Failure.boundUnreachable
    }
}
