/// The segment-profile local computation: a brand's bounded per-customer contributions summed
/// into one integer vector (`SegmentProfileSpec` documents the layout). Only this vector,
/// encrypted and noised, leaves the participant.
public enum SegmentProfile {
    /// One customer's contribution before weighting; `histogram` is written into a scratch buffer.
    struct Contribution {
        var cell: Int
        var orders: Int64
        var spendCents: Int64
        var churn: Int
    }

    /// The contribution of entry `i`, or nil if the customer has no orders or falls outside the
    /// listed cells. With `capped`, orders and spend are clipped and the histogram apportioned to
    /// the capped order count by the largest-remainder method (Hamilton's method; Balinski &
    /// Young, "Fair Representation", 2nd ed. 2001, ch. 2), ties to the earlier category, so its
    /// entries are integers summing exactly to min(orders, maxOrders).
    static func contribution(_ d: FeatureDerivation, _ i: Int, spec: SegmentProfileSpec, capped: Bool,
                             histogram h: inout [Int64]) -> Contribution? {
        guard d.hasOrders(i),
              let cell = spec.cellIndex(stage: d.lifecycle(i), tier: d.valueTier(i), region: Taxonomy.regions[d.table.mainRegion(i)]) else { return nil }
        let k = SegmentProfileSpec.categories
        let n = Int64(d.table.orders[i])
        let base = i * k
        for j in 0..<k { h[j] = Int64(d.table.categoryOrders[base + j]) }
        var orders = n, spend = d.table.spendCents[i]
        if capped {
            spend = min(spend, spec.maxSpendCents)
            if n > spec.maxOrders {
                orders = spec.maxOrders
                var remainders = [Int64](repeating: 0, count: k)
                var given: Int64 = 0
                for j in 0..<k {
                    let q = h[j] * orders
                    remainders[j] = q % n
                    h[j] = q / n
                    given += h[j]
                }
                for _ in 0..<(orders - given) {
                    var best = 0
                    for j in 1..<k where remainders[j] > remainders[best] { best = j }
                    h[best] += 1
                    remainders[best] = -1
                }
            }
        }
        let churn = ChurnRisk.allCases.firstIndex(of: d.churnRisk(i))!
        return Contribution(cell: cell, orders: orders, spendCents: spend, churn: churn)
    }

    /// The brand's local vector: the sum over its customers of their weighted, capped contributions.
    public static func localVector(_ d: FeatureDerivation, spec: SegmentProfileSpec) throws -> [Int64] {
        try spec.validate()
        guard d.options == spec.features else { throw FeatureError("the derivation's options differ from the spec's") }
        let c = spec.cellCount, k = SegmentProfileSpec.categories, w = spec.weights
        var v = [Int64](repeating: 0, count: spec.length)
        var h = [Int64](repeating: 0, count: k)
        for i in 0..<d.table.entries {
            guard let x = contribution(d, i, spec: spec, capped: true, histogram: &h) else { continue }
            v[x.cell] += w.customers
            v[c + x.cell] += w.orders * x.orders
            v[2 * c + x.cell] += w.spend * spec.spendUnits(cappedCents: x.spendCents)
            for j in 0..<k { v[spec.histogramOffset + x.cell * k + j] += w.histogram * h[j] }
            v[spec.churnOffset + x.cell * 3 + x.churn] += w.churn
        }
        return v
    }

    /// Streams `source` into a customer table (orders up to `spec.features.asOf`) and returns its vector.
    public static func localVector(source: some OrderSource, spec: SegmentProfileSpec,
                                   onInvalid: (RowError) -> Bool = { _ in false }) throws -> (values: [Int64], summary: OrderSourceSummary) {
        try spec.validate()
        let (table, summary) = try CustomerTable.build(from: source, through: spec.features.asOf, onInvalid: onInvalid)
        return (try localVector(FeatureDerivation(table: table, options: spec.features), spec: spec), summary)
    }

    /// The centralized plaintext computation that only a test harness can run: the same
    /// statistics straight into a table, summed over brands (each brand's tiers from its own
    /// customers), with the caps (what the federation estimates) or without (the truth).
    /// Never noised or suppressed.
    public static func centralTable(_ brands: [FeatureDerivation], spec: SegmentProfileSpec, capped: Bool) throws -> ProfileTable {
        try spec.validate()
        let c = spec.cellCount, k = SegmentProfileSpec.categories
        var customers = [Int64](repeating: 0, count: c), orders = customers, spendCents = customers
        var histogram = [[Int64]](repeating: [Int64](repeating: 0, count: k), count: c)
        var churn = [[Int64]](repeating: [0, 0, 0], count: c)
        var h = [Int64](repeating: 0, count: k)
        for d in brands {
            guard d.options == spec.features else { throw FeatureError("a derivation's options differ from the spec's") }
            for i in 0..<d.table.entries {
                guard let x = contribution(d, i, spec: spec, capped: capped, histogram: &h) else { continue }
                customers[x.cell] += 1
                orders[x.cell] += x.orders
                spendCents[x.cell] += capped ? spec.spendUnits(cappedCents: x.spendCents) * spec.spendUnitCents : x.spendCents
                for j in 0..<k { histogram[x.cell][j] += h[j] }
                churn[x.cell][x.churn] += 1
            }
        }
        let cells = spec.cells.enumerated().map { i, cell in
            ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: false,
                              customers: Double(customers[i]), orders: Double(orders[i]), spend: Double(spendCents[i]) / 100,
                              histogram: histogram[i].map(Double.init), churn: churn[i].map(Double.init))
        }
        return ProfileTable(cells: cells, errorBars95: .zero, minimumCustomers: 0)
    }

    /// Decodes an aggregated (summed, possibly noised) vector: divides out the weights, converts
    /// spend to currency units, attaches 95% error bars (1.96 · σ / weight, σ the standard
    /// deviation of the noise in each summed value) and suppresses every cell whose decoded
    /// customer count is under `minimumCustomers` (its values are withheld, not just flagged).
    public static func decode(sums: [Int64], spec: SegmentProfileSpec, noiseStandardDeviation sigma: Double = 0,
                              minimumCustomers: Double = 0) throws -> ProfileTable {
        try spec.validate()
        guard sums.count == spec.length else { throw FeatureError("a profile vector has \(spec.length) values, got \(sums.count)") }
        let c = spec.cellCount, k = SegmentProfileSpec.categories, w = spec.weights
        let unit = Double(spec.spendUnit)
        let cells = spec.cells.enumerated().map { i, cell -> ProfileTable.Cell in
            let customers = Double(sums[i]) / Double(w.customers)
            guard customers >= minimumCustomers else {
                return ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: true,
                                         customers: nil, orders: nil, spend: nil, histogram: nil, churn: nil)
            }
            return ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: false,
                                     customers: customers,
                                     orders: Double(sums[c + i]) / Double(w.orders),
                                     spend: Double(sums[2 * c + i]) * unit / Double(w.spend),
                                     histogram: (0..<k).map { Double(sums[spec.histogramOffset + i * k + $0]) / Double(w.histogram) },
                                     churn: (0..<3).map { Double(sums[spec.churnOffset + i * 3 + $0]) / Double(w.churn) })
        }
        let z = 1.96 * sigma
        let bars = ProfileTable.ErrorBars(customers: z / Double(w.customers), orders: z / Double(w.orders), spend: z * unit / Double(w.spend),
                                          histogram: z / Double(w.histogram), churn: z / Double(w.churn))
        return ProfileTable(cells: cells, errorBars95: bars, minimumCustomers: minimumCustomers)
    }
}
