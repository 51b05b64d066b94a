/// The public per-coordinate clipping box [lower, upper]^d. Features arrive standardized by
/// fixed public transforms, but nothing is assumed about them: every coordinate is clipped
/// before use, which is what makes the per-customer sensitivity a public constant.
public struct FeatureBox: Codable, Sendable, Hashable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double = 0, upper: Double = 1) {
        self.lower = lower
        self.upper = upper
    }

    /// The per-coordinate bound B = max(|lower|, |upper|).
    public var bound: Double { max(abs(lower), abs(upper)) }

    func validate() throws {
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw LearningError("feature box needs finite lower < upper")
        }
    }

    /// Clamps into [lower, upper]; ±∞ go to the nearer end, NaN is treated as 0 (then clamped),
    /// so no input can escape the box.
    public func clip(_ x: Double) -> Double {
        if x.isNaN { return Swift.min(Swift.max(0, lower), upper) }
        return Swift.min(Swift.max(x, lower), upper)
    }

    public func clip(_ row: [Double]) -> [Double] { row.map(clip) }
}
