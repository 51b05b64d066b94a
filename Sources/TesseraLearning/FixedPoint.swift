/// Fixed-point encoding: x ↦ round(x · scale) with deterministic round-to-nearest (ties away
/// from zero). Rounding is monotone, so clipping to |x| ≤ B gives |round(x·s)| ≤ round(B·s)
/// exactly; for a vector clipped to ‖x‖₂ ≤ C, each coordinate moves by at most 1/2, so
/// ‖round(s·x)‖₂ ≤ C·s + √d/2 (triangle inequality).
///
/// Deterministic rounding (rather than the randomized rounding of Kairouz–Liu–Steinke 2021,
/// §4.1) keeps updates reproducible; its bias is at most 1/(2s) per coordinate per customer.
public struct FixedPoint: Codable, Sendable, Hashable {
    public var scale: Int64

    public init(scale: Int64 = 1 << 16) { self.scale = scale }

    func validate() throws {
        guard scale >= 1, scale <= 1 << 40 else { throw LearningError("scale must be in 1...2^40") }
    }

    /// round(x · scale). `x` must be finite and small enough that the product fits in Int64;
    /// callers clip first, and parameter validation checks the clipped range.
    public func encode(_ x: Double) -> Int64 {
        Int64((x * Double(scale)).rounded(.toNearestOrAwayFromZero))
    }

    public func decode(_ v: Int64) -> Double { Double(v) / Double(scale) }

    /// The real-valued L2 bound after rounding: C·s + √d/2.
    public func l2BoundAfterRounding(clippedNorm: Double, dimension: Int) -> Double {
        clippedNorm * Double(scale) + Double(dimension).squareRoot() / 2
    }

    /// An integer ≥ (C·s + √d/2)². Computed in floating point with a relative margin of 1e-12
    /// plus one unit, which exceeds the few-ulp error of the computation; `encodeClipped`
    /// then enforces the bound exactly in integers, so the bound is guaranteed by construction.
    public func squaredL2BoundAfterRounding(clippedNorm: Double, dimension: Int) -> Int64? {
        let t = l2BoundAfterRounding(clippedNorm: clippedNorm, dimension: dimension)
        let t2 = (t * t * (1 + 1e-12)).rounded(.up) + 1
        guard t2.isFinite, t2 < Double(maximumSquaredBound) else { return nil }
        return Int64(t2)
    }

    /// Clips `v` to ‖v‖₂ ≤ C (Abadi et al. 2016, Algorithm 1, "clip gradient": v · min(1, C/‖v‖)),
    /// encodes it, and checks Σ round(s·v_j)² ≤ `squaredBound` in exact integer arithmetic.
    /// The check cannot fail for `squaredBound` from `squaredL2BoundAfterRounding`; should
    /// floating point ever disagree, the largest coordinate is moved toward zero until it holds.
    public func encodeClipped(_ v: [Double], clipNorm: Double, squaredBound: Int64) -> [Int64] {
        let finite = v.map { $0.isFinite ? $0 : 0 }
        let norm = finite.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let factor = norm > clipNorm ? clipNorm / norm : 1
        var out = finite.map { encode($0 * factor) }
        while squaredNorm(out) > squaredBound {
            let i = out.indices.max { abs(out[$0]) < abs(out[$1]) }!
            out[i] -= out[i].signum()
        }
        return out
    }
}

/// Σ v_j² in Int64; traps on overflow, which validated parameters rule out.
func squaredNorm(_ v: [Int64]) -> Int64 {
    v.reduce(0) { $0 + $1 * $1 }
}
