/// L2 clipping of an integer update, exactly: if ‖v‖₂ > C, every coordinate is scaled by
/// C/⌈‖v‖₂⌉ and rounded toward zero, so the clipped norm never exceeds C (the sensitivity the
/// accountant assumes). Norms are computed in 128-bit integers.
public enum L2Clipping {
    public static func squaredNorm(_ v: [Int64]) -> UInt128 {
        v.reduce(UInt128(0)) { $0 + UInt128($1.magnitude) * UInt128($1.magnitude) }
    }

    /// ⌈√x⌉.
    static func ceilSquareRoot(_ x: UInt128) -> UInt128 {
        var lo: UInt128 = 0, hi: UInt128 = 1
        while hi * hi < x { hi *= 2 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if mid * mid >= x { hi = mid } else { lo = mid }
        }
        return x == 0 ? 0 : hi
    }

    public static func clip(_ v: [Int64], to bound: Int64) -> [Int64] {
        precondition(bound >= 0)
        let c = UInt128(bound)
        guard squaredNorm(v) > c * c else { return v }
        let norm = ceilSquareRoot(squaredNorm(v))
        return v.map { x in
            let scaled = Int64(UInt128(x.magnitude) * c / norm)
            return x < 0 ? -scaled : scaled
        }
    }
}
