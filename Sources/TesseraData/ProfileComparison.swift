/// Utility of a released profile against the centralized truth, per statistic.
///
/// For every value of a statistic (customers, orders, spend: one per cell; histogram: 7 per
/// cell; churn: 3 per cell) with a true value > 0, the relative error |released − true| / true.
/// `medianRelativeError` is the median over values of unsuppressed cells. `fractionWithinTolerance`
/// is over the values of cells with at least `largeCellCustomers` true customers, a suppressed
/// value counting as a miss; of the counts inside a cell (histogram orders per category, churn
/// customers per colour) only those of at least `largeCellCustomers` are judged, because a
/// count of a few units in a large cell is as noisy as any small count.
public struct ProfileComparison: Codable, Sendable, Equatable {
    public struct Statistic: Codable, Sendable, Equatable {
        public let name: String
        public let medianRelativeError: Double?
        public let valuesCompared: Int
        public let largeCellValues: Int
        public let fractionWithinTolerance: Double?
    }

    public let statistics: [Statistic]
    public let suppressedCells: Int
    public let largeCellCustomers: Double
    public let tolerance: Double

    public init(released: ProfileTable, truth: ProfileTable, largeCellCustomers: Double = 100, tolerance: Double = 0.05) {
        precondition(released.cells.count == truth.cells.count, "tables of different layouts")
        let extract: [(String, (ProfileTable.Cell) -> [Double]?, Bool)] = [
            ("customers", { $0.customers.map { [$0] } }, false), ("orders", { $0.orders.map { [$0] } }, false), ("spend", { $0.spend.map { [$0] } }, false),
            ("histogram", { $0.histogram }, true), ("churn", { $0.churn }, true),
        ]
        statistics = extract.map { name, values, partsOfCell in
            var errors: [Double] = []
            var large = 0, within = 0
            for (r, t) in zip(released.cells, truth.cells) {
                guard let trueValues = values(t) else { continue }
                let isLarge = (t.customers ?? 0) >= largeCellCustomers
                let releasedValues = r.suppressed ? nil : values(r)
                for (j, tv) in trueValues.enumerated() where tv > 0 {
                    let e = releasedValues.map { abs($0[j] - tv) / tv }
                    if let e { errors.append(e) }
                    if isLarge, !partsOfCell || tv >= largeCellCustomers {
                        large += 1
                        if let e, e <= tolerance { within += 1 }
                    }
                }
            }
            errors.sort()
            let median: Double? = errors.isEmpty ? nil : errors.count % 2 == 1 ? errors[errors.count / 2] : (errors[errors.count / 2 - 1] + errors[errors.count / 2]) / 2
            return Statistic(name: name, medianRelativeError: median, valuesCompared: errors.count, largeCellValues: large,
                             fractionWithinTolerance: large == 0 ? nil : Double(within) / Double(large))
        }
        suppressedCells = released.cells.filter(\.suppressed).count
        self.largeCellCustomers = largeCellCustomers
        self.tolerance = tolerance
    }

    /// The share of the released values of unsuppressed cells that lie within their 95% error
    /// bar of `capped` (the noise-free computation with the same caps); nil if none is released.
    /// About 0.95 when the bars are right: they describe the noise, not the caps' bias.
    public static func errorBarCoverage(released: ProfileTable, capped: ProfileTable) -> Double? {
        precondition(released.cells.count == capped.cells.count, "tables of different layouts")
        var inside = 0, total = 0
        for (r, t) in zip(released.cells, capped.cells) {
            guard let e = r.errorBars95, let rc = r.customers, let ro = r.orders, let rs = r.spend, let rh = r.histogram, let rr = r.churn,
                  let tc = t.customers, let to = t.orders, let ts = t.spend, let th = t.histogram, let tr = t.churn else { continue }
            var pairs: [(Double, Double, Double)] = [(rc, tc, e.customers), (ro, to, e.orders), (rs, ts, e.spend)]
            pairs += zip(rh, th).map { ($0, $1, e.histogram) } + zip(rr, tr).map { ($0, $1, e.churn) }
            for (x, y, bar) in pairs {
                total += 1
                if abs(x - y) <= bar { inside += 1 }
            }
        }
        return total == 0 ? nil : Double(inside) / Double(total)
    }
}
