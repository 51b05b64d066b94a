/// Utility of a released profile against the centralized truth, per statistic.
///
/// For every value of a statistic (customers, orders, spend: one per cell; histogram: 7 per
/// cell; churn: 3 per cell) with a true value > 0, the relative error |released − true| / true.
/// `medianRelativeError` is the median over values of unsuppressed cells. `fractionWithinTolerance`
/// is over values of cells with at least `largeCellCustomers` true customers, a suppressed
/// value counting as a miss.
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
        let extract: [(String, (ProfileTable.Cell) -> [Double]?)] = [
            ("customers", { $0.customers.map { [$0] } }), ("orders", { $0.orders.map { [$0] } }), ("spend", { $0.spend.map { [$0] } }),
            ("histogram", { $0.histogram }), ("churn", { $0.churn }),
        ]
        statistics = extract.map { name, values in
            var errors: [Double] = []
            var large = 0, within = 0
            for (r, t) in zip(released.cells, truth.cells) {
                guard let trueValues = values(t) else { continue }
                let isLarge = (t.customers ?? 0) >= largeCellCustomers
                let releasedValues = r.suppressed ? nil : values(r)
                for (j, tv) in trueValues.enumerated() where tv > 0 {
                    let e = releasedValues.map { abs($0[j] - tv) / tv }
                    if let e { errors.append(e) }
                    if isLarge {
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
}
