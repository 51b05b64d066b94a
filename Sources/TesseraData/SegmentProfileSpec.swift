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
/// tier or main region is not listed contributes nothing (`regions: ["all"]` makes the cells
/// stage × tier, every region in each). Vector layout (C = number of cells,
/// K = `Taxonomy.categories.count` = 7), each block cell-major:
///
///     [0, C)          customers       w_c · 1
///     [C, 2C)         orders          w_o(cell) · min(orders, M(cell))
///     [2C, 3C)        spend           w_s(tier) · round(min(spend, maxSpend) / spendUnit)   (half up)
///     [3C, 3C + CK)   histogram       w_h(cell) · orders per category, apportioned to min(orders, M(cell))
///     [3C + CK, 6C + CK)  churn       w_r · 1 in the customer's colour (green, yellow, red)
///
/// Every bound is per cell, because a customer lies in exactly one cell: the sensitivity is the
/// largest contribution over cells, so each cell can have caps that suit its customers.
/// - Orders: M(cell) = `orderCaps[stage][tier]`, else `maxOrders`.
/// - Spend: value tiers must be public spend thresholds (`ValueTierRule.spendCents`); then a
///   customer's cell depends on nobody else, and a customer below a threshold spends less than
///   it, so each tier has its own cap `spendCapCents(tier)`.
/// - Weights: `weights` are those of the cell with the largest cap; a cell with a smaller cap
///   gets ⌊weight · largest cap / its cap⌋, so every cell's term in the sensitivity is at most
///   the largest one while small-cap cells get proportionally less noise.
public struct SegmentProfileSpec: Codable, Sendable, Equatable {
    public var stages: [LifecycleStage]
    public var tiers: [ValueTier]
    public var regions: [String]
    /// Orders counted per customer (the privacy unit is one customer), unless `orderCaps` says otherwise.
    public var maxOrders: Int64
    /// Orders counted per customer in particular cells: stage name → tier name → cap.
    public var orderCaps: [String: [String: Int64]]
    /// Spend counted per customer, in currency units (the cap of the top tier).
    public var maxSpend: Int64
    /// Spend is released in integer multiples of this many currency units.
    public var spendUnit: Int64
    public var weights: BlockWeights
    public var features: FeatureOptions

    /// The default value tiers of a profile job: public yearly-spend thresholds of 100, 250 and
    /// 500 currency units (chosen without looking at any brand's data).
    public static let defaultTierRule = ValueTierRule.spendCents([10_000, 25_000, 50_000])

    public init(stages: [LifecycleStage] = LifecycleStage.allCases, tiers: [ValueTier] = ValueTier.allCases, regions: [String] = Taxonomy.regions,
                maxOrders: Int64 = 50, orderCaps: [String: [String: Int64]] = [:], maxSpend: Int64 = 5000, spendUnit: Int64 = 10,
                weights: BlockWeights = BlockWeights(), features: FeatureOptions = FeatureOptions(tierRule: SegmentProfileSpec.defaultTierRule)) {
        self.stages = stages
        self.tiers = tiers
        self.regions = regions
        self.maxOrders = maxOrders
        self.orderCaps = orderCaps
        self.maxSpend = maxSpend
        self.spendUnit = spendUnit
        self.weights = weights
        self.features = features
    }

    public func validate() throws {
        try features.validate()
        guard case .spendCents = features.tierRule else {
            throw FeatureError("segment-profile value tiers must be public spend thresholds (tierRule spendCents): with percentile tiers one customer's presence moves other customers across a cut (any number of them when spends tie), so no per-customer sensitivity bound holds")
        }
        guard !stages.isEmpty, !tiers.isEmpty, !regions.isEmpty else { throw FeatureError("every cell dimension needs at least one value") }
        guard Set(stages).count == stages.count, Set(tiers).count == tiers.count, Set(regions).count == regions.count else { throw FeatureError("duplicate cell values") }
        guard regions == [Self.allRegions] || regions.allSatisfy(Taxonomy.regions.contains) else {
            throw FeatureError("regions must be taxonomy regions (\(Taxonomy.regions.joined(separator: ", "))) or [\"\(Self.allRegions)\"], not \(regions)")
        }
        guard (1...1_000_000).contains(maxOrders), (1...100_000_000).contains(maxSpend), (1...maxSpend).contains(spendUnit) else {
            throw FeatureError("need 1 ≤ maxOrders ≤ 1e6 and 1 ≤ spendUnit ≤ maxSpend ≤ 1e8")
        }
        for (stage, caps) in orderCaps {
            guard LifecycleStage(rawValue: stage) != nil else { throw FeatureError("orderCaps: unknown stage \(stage.debugDescription)") }
            for (tier, cap) in caps {
                guard ValueTier(rawValue: tier) != nil else { throw FeatureError("orderCaps.\(stage): unknown tier \(tier.debugDescription)") }
                guard (1...1_000_000).contains(cap) else { throw FeatureError("orderCaps.\(stage).\(tier) = \(cap) is not in 1...1000000") }
            }
        }
        let w = weights
        guard [w.customers, w.orders, w.spend, w.histogram, w.churn].allSatisfy({ (1...1_000_000).contains($0) }) else { throw FeatureError("weights must be 1...1000000") }
        guard perCustomerL2SquaredChecked != nil else { throw FeatureError("the sensitivity overflows 64 bits") }
    }

    /// `regions: ["all"]`: region is not a cell dimension; every customer's cell is its stage × tier.
    public static let allRegions = "all"

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

    // MARK: Per-cell caps and weights

    /// Orders counted per customer of a stage and tier.
    public func orderCap(_ stage: LifecycleStage, _ tier: ValueTier) -> Int64 {
        orderCaps[stage.rawValue]?[tier.rawValue] ?? maxOrders
    }

    /// The largest order cap over the listed stages and tiers.
    public var largestOrderCap: Int64 {
        stages.flatMap { s in tiers.map { orderCap(s, $0) } }.max() ?? maxOrders
    }

    /// w_o(cell) = ⌊w_o · largest cap / the cell's cap⌋.
    public func ordersWeight(_ stage: LifecycleStage, _ tier: ValueTier) -> Int64 {
        weights.orders * largestOrderCap / orderCap(stage, tier)
    }

    /// w_h(cell) = ⌊w_h · largest cap / the cell's cap⌋.
    public func histogramWeight(_ stage: LifecycleStage, _ tier: ValueTier) -> Int64 {
        weights.histogram * largestOrderCap / orderCap(stage, tier)
    }

    var spendUnitCents: Int64 { spendUnit * 100 }
    var maxSpendCents: Int64 { maxSpend * 100 }

    /// Capped spend in released units, rounding half up.
    func spendUnits(cappedCents c: Int64) -> Int64 { (c + spendUnitCents / 2) / spendUnitCents }

    public var maxSpendUnits: Int64 { spendUnits(cappedCents: maxSpendCents) }

    /// The most a customer of `tier` can spend as counted: maxSpend, or less than the tier's
    /// upper threshold (tiers other than `top`).
    public func spendCapCents(_ tier: ValueTier) -> Int64 {
        guard case .spendCents(let cuts) = features.tierRule, let t = ValueTier.allCases.firstIndex(of: tier), t < cuts.count else { return maxSpendCents }
        return min(maxSpendCents, cuts[t] - 1)
    }

    /// w_s(tier) = ⌊w_s · maxSpendUnits / the tier's units at its cap⌋.
    public func spendWeight(_ tier: ValueTier) -> Int64 {
        weights.spend * maxSpendUnits / max(spendUnits(cappedCents: spendCapCents(tier)), 1)
    }

    /// Exact upper bound on ‖x‖₂² for one customer's contribution x, attained: the largest over
    /// the listed stages and tiers of
    /// w_c² + (w_o(cell)·M(cell))² + (w_s(tier)·U(tier))² + (w_h(cell)·M(cell))² + w_r²,
    /// with U(tier) the tier's units at its spend cap (a customer with ≥ M(cell) orders all in
    /// one category and spend at the cap attains it). The histogram term holds because
    /// non-negative integers summing to ≤ M have squares summing to ≤ M². With public tier
    /// thresholds a customer's contribution depends only on that customer, so this is the L2
    /// sensitivity² of the sum under adding or removing one customer.
    public var perCustomerL2Squared: Int64 {
        guard let v = perCustomerL2SquaredChecked else { preconditionFailure("the sensitivity overflows; call validate()") }
        return v
    }

    var perCustomerL2SquaredChecked: Int64? {
        let w = weights, big = largestOrderCap
        // Every product below is at most a weight times its largest cap.
        guard !w.spend.multipliedReportingOverflow(by: maxSpendUnits).overflow, !w.orders.multipliedReportingOverflow(by: big).overflow,
              !w.histogram.multipliedReportingOverflow(by: big).overflow else { return nil }
        var best: Int64 = 0
        for stage in stages {
            for tier in tiers {
                let m = orderCap(stage, tier)
                var total: Int64 = 0
                for ab in [w.customers, ordersWeight(stage, tier) * m, spendWeight(tier) * spendUnits(cappedCents: spendCapCents(tier)),
                           histogramWeight(stage, tier) * m, w.churn] {
                    let (sq, o1) = ab.multipliedReportingOverflow(by: ab)
                    let (t, o2) = total.addingReportingOverflow(sq)
                    if o1 || o2 { return nil }
                    total = t
                }
                best = max(best, total)
            }
        }
        return best
    }
}
