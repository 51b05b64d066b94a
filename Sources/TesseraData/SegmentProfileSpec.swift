/// Integer weight per block of the segment-profile vector. A block's values are multiplied by
/// its weight before aggregation and divided after, so with the same noise per value a larger
/// weight gives that block a larger share of the privacy budget (the noise on the decoded value
/// shrinks by the weight, and the block's term in the sensitivity grows by its square).
public struct BlockWeights: Codable, Sendable, Equatable {
    public var customers: Int64
    public var orders: Int64
    public var spend: Int64
    public var histogram: Int64
    public var churn: Int64

    public init(customers: Int64 = 1, orders: Int64 = 1, spend: Int64 = 1, histogram: Int64 = 1, churn: Int64 = 1) {
        self.customers = customers
        self.orders = orders
        self.spend = spend
        self.histogram = histogram
        self.churn = churn
    }
}

/// The shared taxonomy and contribution bounds of a segment-profile job.
///
/// Cells are stage × tier × region, in that nesting (stage outermost); a customer whose stage,
/// tier or main region is not listed contributes nothing. Vector layout (C = number of cells,
/// K = `Taxonomy.categories.count` = 7), each block cell-major:
///
///     [0, C)          customers       weight w_c · 1
///     [C, 2C)         orders          w_o · min(orders, maxOrders)
///     [2C, 3C)        spend           w_s · round(min(spend, maxSpend) / spendUnit)   (half up)
///     [3C, 3C + CK)   histogram       w_h · orders per category, apportioned to min(orders, maxOrders)
///     [3C + CK, 6C + CK)  churn       w_r · 1 in the customer's colour (green, yellow, red)
public struct SegmentProfileSpec: Codable, Sendable, Equatable {
    public var stages: [LifecycleStage]
    public var tiers: [ValueTier]
    public var regions: [String]
    /// Orders counted per customer (the privacy unit is one customer).
    public var maxOrders: Int64
    /// Spend counted per customer, in currency units.
    public var maxSpend: Int64
    /// Spend is released in integer multiples of this many currency units.
    public var spendUnit: Int64
    public var weights: BlockWeights
    public var features: FeatureOptions

    public init(stages: [LifecycleStage] = LifecycleStage.allCases, tiers: [ValueTier] = ValueTier.allCases, regions: [String] = Taxonomy.regions,
                maxOrders: Int64 = 50, maxSpend: Int64 = 5000, spendUnit: Int64 = 10, weights: BlockWeights = BlockWeights(),
                features: FeatureOptions = FeatureOptions()) {
        self.stages = stages
        self.tiers = tiers
        self.regions = regions
        self.maxOrders = maxOrders
        self.maxSpend = maxSpend
        self.spendUnit = spendUnit
        self.weights = weights
        self.features = features
    }

    public func validate() throws {
        try features.validate()
        guard !stages.isEmpty, !tiers.isEmpty, !regions.isEmpty else { throw FeatureError("every cell dimension needs at least one value") }
        guard Set(stages).count == stages.count, Set(tiers).count == tiers.count, Set(regions).count == regions.count else { throw FeatureError("duplicate cell values") }
        guard regions.allSatisfy(Taxonomy.regions.contains) else { throw FeatureError("a region is not in the taxonomy") }
        guard (1...1_000_000).contains(maxOrders), (1...100_000_000).contains(maxSpend), (1...maxSpend).contains(spendUnit) else {
            throw FeatureError("need 1 ≤ maxOrders ≤ 1e6 and 1 ≤ spendUnit ≤ maxSpend ≤ 1e8")
        }
        let w = weights
        guard [w.customers, w.orders, w.spend, w.histogram, w.churn].allSatisfy({ (1...1_000_000).contains($0) }) else { throw FeatureError("weights must be 1...1000000") }
        guard perCustomerL2SquaredChecked != nil else { throw FeatureError("the sensitivity overflows 64 bits") }
    }

    public static var categories: Int { Taxonomy.categories.count }
    public var cellCount: Int { stages.count * tiers.count * regions.count }
    public var length: Int { cellCount * (6 + Self.categories) }

    /// Offsets of the blocks in the vector.
    public var customersOffset: Int { 0 }
    public var ordersOffset: Int { cellCount }
    public var spendOffset: Int { 2 * cellCount }
    public var histogramOffset: Int { 3 * cellCount }
    public var churnOffset: Int { (3 + Self.categories) * cellCount }

    public var cells: [(stage: LifecycleStage, tier: ValueTier, region: String)] {
        stages.flatMap { s in tiers.flatMap { t in regions.map { (s, t, $0) } } }
    }

    public func cellIndex(stage: LifecycleStage, tier: ValueTier, region: String) -> Int? {
        guard let s = stages.firstIndex(of: stage), let t = tiers.firstIndex(of: tier), let r = regions.firstIndex(of: region) else { return nil }
        return (s * tiers.count + t) * regions.count + r
    }

    public var labels: [String] {
        let names = cells.map { "\($0.stage.rawValue):\($0.tier.rawValue):\($0.region)" }
        return names.map { "customers:\($0)" } + names.map { "orders:\($0)" } + names.map { "spend:\($0)" }
            + names.flatMap { n in Taxonomy.categories.map { "histogram:\(n):\($0)" } }
            + names.flatMap { n in ChurnRisk.allCases.map { "churn:\(n):\($0.rawValue)" } }
    }

    var spendUnitCents: Int64 { spendUnit * 100 }
    var maxSpendCents: Int64 { maxSpend * 100 }

    /// Capped spend in released units, rounding half up.
    func spendUnits(cappedCents c: Int64) -> Int64 { (c + spendUnitCents / 2) / spendUnitCents }

    public var maxSpendUnits: Int64 { spendUnits(cappedCents: maxSpendCents) }

    /// Exact upper bound on ‖x‖₂² for one customer's contribution x, and attained (a customer
    /// with ≥ maxOrders orders all in one category and spend ≥ maxSpend):
    /// w_c² + w_o²·M² + w_s²·U² + w_h²·M² + w_r², with M = maxOrders, U = maxSpendUnits.
    /// The histogram term holds because non-negative integers summing to ≤ M have squares
    /// summing to ≤ M². This is the L2 sensitivity² of the sum under adding or removing one
    /// customer's own contribution (see `ValueTierRule.percentile` for the caveat on tiers).
    public var perCustomerL2Squared: Int64 {
        guard let v = perCustomerL2SquaredChecked else { preconditionFailure("the sensitivity overflows; call validate()") }
        return v
    }

    var perCustomerL2SquaredChecked: Int64? {
        let w = weights, m = maxOrders, u = maxSpendUnits
        var total: Int64 = 0
        for (a, b) in [(w.customers, Int64(1)), (w.orders, m), (w.spend, u), (w.histogram, m), (w.churn, 1)] {
            let (ab, o1) = a.multipliedReportingOverflow(by: b)
            let (sq, o2) = ab.multipliedReportingOverflow(by: ab)
            let (t, o3) = total.addingReportingOverflow(sq)
            if o1 || o2 || o3 { return nil }
            total = t
        }
        return total
    }
}
