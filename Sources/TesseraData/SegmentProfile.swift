/// The segment-profile local computation: a brand's bounded per-customer contributions summed
/// into one integer vector (`SegmentProfileSpec` documents the layout). Only this vector,
/// encrypted and noised, leaves the participant.
public enum SegmentProfile {
    /// The spec's cells indexed once, so that the per-customer loop does no string or
    /// dictionary lookups: each cell's order cap, and the row or column of every stage, tier
    /// and taxonomy region (nil if not listed).
    struct CellLookup {
        let caps: [Int64]
        let stageIndex: [Int?], tierIndex: [Int?], regionIndex: [Int?]
        let tiers: Int, regions: Int

        init(_ spec: SegmentProfileSpec) {
            caps = spec.cells.map { spec.orderCap($0.stage, $0.tier) }
            stageIndex = LifecycleStage.allCases.map { spec.stages.firstIndex(of: $0) }
            tierIndex = ValueTier.allCases.map { spec.tiers.firstIndex(of: $0) }
            regionIndex = Taxonomy.regions.map { spec.regions == [SegmentProfileSpec.allRegions] ? 0 : spec.regions.firstIndex(of: $0) }
            (tiers, regions) = (spec.tiers.count, spec.regions.count)
        }

        /// The cell index as `SegmentProfileSpec.cellIndex` numbers it; `region` indexes `Taxonomy.regions`.
        func cell(_ stage: LifecycleStage, _ tier: ValueTier, region: Int) -> Int? {
            guard let s = stageIndex[LifecycleStage.allCases.firstIndex(of: stage)!], let t = tierIndex[ValueTier.allCases.firstIndex(of: tier)!],
                  let r = regionIndex[region] else { return nil }
            return (s * tiers + t) * regions + r
        }
    }

    /// Per-customer scratch buffers, reused across customers.
    struct Scratch {
        var histogram = [Int64](repeating: 0, count: SegmentProfileSpec.categories)
        var remainders = [Int64](repeating: 0, count: SegmentProfileSpec.categories)
    }

    /// One customer's contribution before weighting; its histogram is left in `Scratch.histogram`.
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
    /// entries are integers summing exactly to min(orders, the cell's order cap).
    static func contribution(_ d: FeatureDerivation, _ i: Int, spec: SegmentProfileSpec, cells: CellLookup, capped: Bool,
                             scratch: inout Scratch) -> Contribution? {
        guard d.hasOrders(i), let cell = cells.cell(d.lifecycle(i), d.valueTier(i), region: d.table.mainRegion(i)) else { return nil }
        let cap = cells.caps[cell]
        let k = SegmentProfileSpec.categories
        let n = Int64(d.table.orders[i])
        let base = i * k
        for j in 0..<k { scratch.histogram[j] = Int64(d.table.categoryOrders[base + j]) }
        var orders = n, spend = d.table.spendCents[i]
        if capped {
            spend = min(spend, spec.maxSpendCents)
            if n > cap {
                orders = cap
                var given: Int64 = 0
                for j in 0..<k {
                    let q = scratch.histogram[j] * orders
                    scratch.remainders[j] = q % n
                    scratch.histogram[j] = q / n
                    given += scratch.histogram[j]
                }
                for _ in 0..<(orders - given) {
                    var best = 0
                    for j in 1..<k where scratch.remainders[j] > scratch.remainders[best] { best = j }
                    scratch.histogram[best] += 1
                    scratch.remainders[best] = -1
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
        let weights = spec.cells.map { CellWeights(spec, $0.stage, $0.tier) }
        let cells = CellLookup(spec)
        var v = [Int64](repeating: 0, count: spec.length)
        var scratch = Scratch()
        for i in 0..<d.table.entries {
            guard let x = contribution(d, i, spec: spec, cells: cells, capped: true, scratch: &scratch) else { continue }
            let cw = weights[x.cell]
            v[x.cell] += w.customers
            v[c + x.cell] += cw.orders * x.orders
            v[2 * c + x.cell] += cw.spend * spec.spendUnits(cappedCents: x.spendCents)
            for j in 0..<k { v[spec.histogramOffset + x.cell * k + j] += cw.histogram * scratch.histogram[j] }
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
        let lookup = CellLookup(spec)
        var scratch = Scratch()
        for d in brands {
            guard d.options == spec.features else { throw FeatureError("a derivation's options differ from the spec's") }
            for i in 0..<d.table.entries {
                guard let x = contribution(d, i, spec: spec, cells: lookup, capped: capped, scratch: &scratch) else { continue }
                customers[x.cell] += 1
                orders[x.cell] += x.orders
                spendCents[x.cell] += capped ? spec.spendUnits(cappedCents: x.spendCents) * spec.spendUnitCents : x.spendCents
                for j in 0..<k { histogram[x.cell][j] += scratch.histogram[j] }
                churn[x.cell][x.churn] += 1
            }
        }
        let cells = spec.cells.enumerated().map { i, cell in
            ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: false,
                              customers: Double(customers[i]), orders: Double(orders[i]), spend: Double(spendCents[i]) / 100,
                              histogram: histogram[i].map(Double.init), churn: churn[i].map(Double.init), errorBars95: nil)
        }
        return ProfileTable(cells: cells, minimumCustomers: 0)
    }

    /// A cell's weights on the blocks whose caps depend on the cell.
    struct CellWeights {
        let orders: Int64, spend: Int64, histogram: Int64
        init(_ spec: SegmentProfileSpec, _ stage: LifecycleStage, _ tier: ValueTier) {
            orders = spec.ordersWeight(stage, tier)
            spend = spec.spendWeight(tier)
            histogram = spec.histogramWeight(stage, tier)
        }
    }

    /// Decodes an aggregated (summed, possibly noised) vector into the released table.
    ///
    /// 1. Divides out each cell's weights and converts spend to currency units.
    /// 2. Makes each cell consistent: a cell's customers equal the sum of its churn colours and
    ///    its orders the sum of its histogram (both hold exactly before noise). Each group is
    ///    projected onto its constraint by weighted least squares, the constrained inference of
    ///    Hay, Rastogi, Miklau and Suciu, "Boosting the accuracy of differentially private
    ///    histograms through consistency", PVLDB 3(1), 2010, §3: with independent noise of
    ///    variance v₀ on the total and v₁ on each of its m parts, residual d = total − Σ parts,
    ///    the total becomes total − d·v₀/S and each part part + d·v₁/S, S = v₀ + m·v₁. This is
    ///    post-processing (no privacy cost), leaves exact sums unchanged, and lowers every
    ///    variance (to v₀ − v₀²/S and v₁ − v₁²/S).
    /// 3. Attaches each cell's 95% error bars (1.96 × the standard deviation after step 2, from
    ///    σ, the standard deviation of the noise in each summed value; none when σ = 0).
    /// 4. Suppresses every cell whose customer count is under `minimumCustomers` (its values are
    ///    withheld, not just flagged).
    public static func decode(sums: [Int64], spec: SegmentProfileSpec, noiseStandardDeviation sigma: Double = 0,
                              minimumCustomers: Double = 0) throws -> ProfileTable {
        try spec.validate()
        guard sums.count == spec.length else { throw FeatureError("a profile vector has \(spec.length) values, got \(sums.count)") }
        let c = spec.cellCount, k = SegmentProfileSpec.categories, w = spec.weights
        let unit = Double(spec.spendUnit), z = 1.96 * sigma
        // Noise variance of a decoded value, in units of σ²: 1 / weight².
        func v(_ weight: Int64) -> Double { 1 / (Double(weight) * Double(weight)) }
        let people = Consistency(v0: v(w.customers), v1: v(w.churn), m: 3)
        let cells = spec.cells.enumerated().map { i, cell -> ProfileTable.Cell in
            let cw = CellWeights(spec, cell.stage, cell.tier)
            let (customers, churn) = people.project(total: Double(sums[i]) / Double(w.customers),
                                                    parts: (0..<3).map { Double(sums[spec.churnOffset + i * 3 + $0]) / Double(w.churn) })
            guard customers >= minimumCustomers else {
                return ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: true,
                                         customers: nil, orders: nil, spend: nil, histogram: nil, churn: nil, errorBars95: nil)
            }
            let purchases = Consistency(v0: v(cw.orders), v1: v(cw.histogram), m: k)
            let (orders, histogram) = purchases.project(total: Double(sums[c + i]) / Double(cw.orders),
                                                        parts: (0..<k).map { Double(sums[spec.histogramOffset + i * k + $0]) / Double(cw.histogram) })
            let bars = sigma == 0 ? nil : ProfileTable.ErrorBars(
                customers: z * people.totalVariance.squareRoot(), orders: z * purchases.totalVariance.squareRoot(),
                spend: z * unit / Double(cw.spend), histogram: z * purchases.partVariance.squareRoot(), churn: z * people.partVariance.squareRoot())
            return ProfileTable.Cell(stage: cell.stage, tier: cell.tier, region: cell.region, suppressed: false,
                                     customers: customers, orders: orders, spend: Double(sums[2 * c + i]) * unit / Double(cw.spend),
                                     histogram: histogram, churn: churn, errorBars95: bars)
        }
        return ProfileTable(cells: cells, minimumCustomers: minimumCustomers)
    }

    /// Weighted least-squares projection of a total and its m parts onto total = Σ parts (see
    /// `decode`); v0 and v1 are the noise variances of the total and of each part.
    struct Consistency {
        let v0: Double, v1: Double, m: Int
        var s: Double { v0 + Double(m) * v1 }
        var totalVariance: Double { v0 - v0 * v0 / s }
        var partVariance: Double { v1 - v1 * v1 / s }

        func project(total t: Double, parts p: [Double]) -> (Double, [Double]) {
            let d = t - p.reduce(0, +)
            return (t - d * v0 / s, p.map { $0 + d * v1 / s })
        }
    }
}
