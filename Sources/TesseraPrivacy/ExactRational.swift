/// A non-negative rational number p/q with 128-bit integer parts: the parameters of the exact
/// samplers (σ², Laplace scales, Poisson means) are rationals so that no sampling decision
/// ever depends on floating-point rounding (Mironov 2012, "On significance of the least
/// significant bits for differential privacy").
public struct ExactRational: Sendable, Hashable, CustomStringConvertible {
    public let numerator: Int128
    public let denominator: Int128

    public init(_ numerator: Int128, _ denominator: Int128 = 1) {
        precondition(numerator >= 0 && denominator > 0, "a non-negative rational with a positive denominator")
        let g = Self.gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
    }

    /// Parses "3", "2.5", "0.001" or "7/3" exactly; nil for anything else, including values
    /// whose scaled form does not fit in 128 bits.
    public init?(_ text: String) {
        if let slash = text.firstIndex(of: "/") {
            guard let n = Int128(text[..<slash]), let d = Int128(text[text.index(after: slash)...]), n >= 0, d > 0 else { return nil }
            self.init(n, d)
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isNumber), let whole = Int128(parts[0]) else { return nil }
        guard parts.count == 2 else { self.init(whole); return }
        let frac = parts[1]
        guard !frac.isEmpty, frac.count <= 18, frac.allSatisfy(\.isNumber), let f = Int128(frac) else { return nil }
        var scale: Int128 = 1
        for _ in 0..<frac.count { scale *= 10 }
        let (scaled, o1) = whole.multipliedReportingOverflow(by: scale)
        let (n, o2) = scaled.addingReportingOverflow(f)
        guard !o1, !o2 else { return nil }
        self.init(n, scale)
    }

    static func gcd(_ a: Int128, _ b: Int128) -> Int128 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }

    /// ⌊p/q⌋.
    public var floor: Int128 { numerator / denominator }
    public var isZero: Bool { numerator == 0 }
    /// ⌊√(p/q)⌋, exactly: the largest m with m²·q ≤ p.
    public var floorSquareRoot: Int128 {
        var lo: Int128 = 0, hi: Int128 = 1
        while hi * hi * denominator <= numerator { hi *= 2 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if mid * mid * denominator <= numerator { lo = mid } else { hi = mid }
        }
        return lo
    }
    /// For reporting only.
    public var doubleValue: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
