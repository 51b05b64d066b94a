import Foundation

/// Maps a data interval linearly onto a pixel interval (the range may run
/// backwards, as a y axis does).
struct LinearScale: Sendable {
    let domain: (lo: Double, hi: Double)
    let range: (from: Double, to: Double)

    func callAsFunction(_ x: Double) -> Double {
        let span = domain.hi - domain.lo
        let t = span == 0 ? 0.5 : (x - domain.lo) / span
        return range.from + t * (range.to - range.from)
    }
}

/// An axis interval with "nice" ends and ticks (steps of 1, 2 or 5 × 10^k) that
/// covers the data: Heckbert, "Nice numbers for graph labels", Graphics Gems I (1990).
struct NiceAxis: Sendable, Equatable {
    let lo: Double
    let hi: Double
    let step: Double
    let ticks: [Double]

    /// - Parameters:
    ///   - values: data to cover; non-finite values are ignored.
    ///   - includeZero: bar charts start at 0 so bar lengths are comparable.
    ///   - integer: ticks on whole numbers only (rounds, counts).
    init(covering values: [Double], tickCount: Int = 5, includeZero: Bool = false, integer: Bool = false) {
        var finite = values.filter(\.isFinite)
        if includeZero { finite.append(0) }
        var lo = finite.min() ?? 0
        var hi = finite.max() ?? 1
        if lo == hi {
            // One value: widen around it so it sits inside the plot, not on an edge.
            if lo == 0 {
                hi = 1
            } else {
                let pad = abs(lo) * 0.5
                lo -= pad
                hi += pad
            }
        }
        guard (hi - lo).isFinite else {
            // A span beyond Double's range (±1e308 together): plain ends, no ticks between.
            (self.lo, self.hi, self.step, self.ticks) = (lo, hi, hi / 2 - lo / 2, [lo, hi])
            return
        }
        let range = Self.nice(hi - lo, round: false)
        var step = Self.nice(range / Double(max(1, tickCount - 1)), round: true)
        if integer { step = max(1, step.rounded(.up)) }
        // A hair of tolerance so that 0.3 / 0.05 = 5.999… does not add a tick.
        let first = floor(lo / step + 1e-9)
        let last = ceil(hi / step - 1e-9)
        let count = Int(last - first) + 1
        // Ticks as (first + i)·step, cleaned to the step's precision (no 0.30000000000000004).
        let decimals = max(0, -Int(floor(log10(step))) + 1)
        let p = pow(10, Double(decimals))
        let ticks = (0..<count).map { ((first + Double($0)) * step * p).rounded() / p }
        self.ticks = ticks
        self.lo = ticks[0]
        self.hi = ticks[ticks.count - 1]
        self.step = step
    }

    /// The nice number near x: from {1, 2, 5, 10} × 10^⌊log₁₀ x⌋ (Heckbert's nicenum).
    static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let f = x / pow(10, exponent)
        let nf: Double
        if round {
            nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        } else {
            nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        }
        return nf * pow(10, exponent)
    }
}
