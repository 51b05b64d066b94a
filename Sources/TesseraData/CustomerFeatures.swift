/// Lifecycle stage at `asOf`, from whole days since the first order (tenure) and since the last
/// order (recency), both `⌊(asOf − t) / 86400⌋`. Exactly one stage applies:
/// - explore: tenure ≤ 30
/// - grow: 31 ≤ tenure ≤ 180
/// - mature: tenure > 180 and recency ≤ 365
/// - decline: recency > 365 (then tenure ≥ recency > 365)
public enum LifecycleStage: String, CaseIterable, Codable, Sendable {
    case explore, grow, mature, decline

    public init(tenureDays: Int, recencyDays: Int) {
        if tenureDays <= 30 { self = .explore } else if tenureDays <= 180 { self = .grow } else if recencyDays <= 365 { self = .mature } else { self = .decline }
    }
}

/// Value tier: `low`, `mid`, `high`, `top` = the number of the rule's three cut points passed.
public enum ValueTier: String, CaseIterable, Codable, Sendable {
    case low, mid, high, top
}

/// How the value tier is decided.
public enum ValueTierRule: Codable, Sendable, Equatable {
    /// By the brand's own spend percentile `p = 100 · below / n`, where `below` counts the
    /// brand's customers with strictly smaller spend and `n` all of them (so tied spends share
    /// a percentile, independent of order). A cut `c` is passed when `100 · below ≥ c · n`.
    /// Note: the percentile depends on other customers, so removing one customer can move others
    /// across a cut; the per-customer sensitivity of `SegmentProfile` covers only that
    /// customer's own contribution. Use `spendCents` for a rule that depends on nobody else.
    case percentile([Double])
    /// By public spend thresholds in cents: a cut `c` is passed when `spend ≥ c`.
    case spendCents([Int64])

    public static let standard = ValueTierRule.percentile([50, 80, 95])
}

/// JSON form `{"rule": "percentile" | "spendCents", "cuts": [...]}`: a flat object, so that a
/// job file laid over defaults (key by key) can switch rules by naming both fields.
extension ValueTierRule {
    enum CodingKeys: String, CodingKey { case rule, cuts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .rule) {
        case "percentile": self = .percentile(try c.decode([Double].self, forKey: .cuts))
        case "spendCents": self = .spendCents(try c.decode([Int64].self, forKey: .cuts))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .rule, in: c, debugDescription: "unknown tier rule \(other.debugDescription); known: percentile, spendCents")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .percentile(let cuts): try c.encode("percentile", forKey: .rule); try c.encode(cuts, forKey: .cuts)
        case .spendCents(let cuts): try c.encode("spendCents", forKey: .rule); try c.encode(cuts, forKey: .cuts)
        }
    }
}

/// Churn-risk colour from recency: green if ≤ greenDays, yellow if ≤ redDays, red otherwise.
public enum ChurnRisk: String, CaseIterable, Codable, Sendable {
    case green, yellow, red
}

/// Parameters of the derived features (all public and fixed before looking at data).
public struct FeatureOptions: Codable, Sendable, Equatable {
    /// Observation time, seconds since 1970.
    public var asOf: Int64
    public var greenDays: Int
    public var redDays: Int
    public var tierRule: ValueTierRule

    public init(asOf: Int64 = SyntheticBrands.observationEnd, greenDays: Int = 90, redDays: Int = 180, tierRule: ValueTierRule = .standard) {
        self.asOf = asOf
        self.greenDays = greenDays
        self.redDays = redDays
        self.tierRule = tierRule
    }

    public func validate() throws {
        guard greenDays >= 0, redDays >= greenDays else { throw FeatureError("need 0 ≤ greenDays ≤ redDays") }
        switch tierRule {
        case .percentile(let cuts):
            guard cuts.count == 3, cuts == cuts.sorted(), cuts.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
                throw FeatureError("percentile tiers need 3 ascending cut points in (0, 100]")
            }
        case .spendCents(let cuts):
            guard cuts.count == 3, cuts == cuts.sorted(), cuts.allSatisfy({ $0 > 0 }) else { throw FeatureError("spend tiers need 3 ascending positive thresholds") }
        }
    }
}

public struct FeatureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One customer's features at `asOf` (RFM: recency, frequency, monetary, as in Hughes,
/// "Strategic Database Marketing", 1994, ch. 7; plus tenure, lifecycle, tier, shares, churn).
public struct CustomerFeatures: Sendable, Equatable {
    public let firstOrder: Int64
    public let lastOrder: Int64
    public let orders: Int
    public let spendCents: Int64
    public let categoryOrders: [Int]
    public let categorySpendCents: [Int64]
    /// Index in `Taxonomy.regions`.
    public let mainRegion: Int
    public let recencyDays: Int
    public let tenureDays: Int
    public let lifecycle: LifecycleStage
    public let valueTier: ValueTier
    public let churnRisk: ChurnRisk

    /// Share of the customer's orders in each category (sums to 1).
    public var categoryShares: [Double] { categoryOrders.map { Double($0) / Double(orders) } }
}

/// Derives features from a `CustomerTable` at `options.asOf`. Holds the brand's sorted spends
/// (8 bytes per customer) for percentile tiers.
public struct FeatureDerivation: Sendable {
    public let table: CustomerTable
    public let options: FeatureOptions
    let sortedSpend: [Int64]

    public init(table: CustomerTable, options: FeatureOptions = FeatureOptions()) throws {
        try options.validate()
        guard options.asOf >= table.through else { throw FeatureError("asOf is before the table's last aggregated time") }
        self.table = table
        self.options = options
        var spends: [Int64] = []
        if case .percentile = options.tierRule {
            spends.reserveCapacity(table.entries)
            for i in 0..<table.entries where table.orders[i] > 0 { spends.append(table.spendCents[i]) }
            spends.sort()
        }
        sortedSpend = spends
    }

    public func hasOrders(_ i: Int) -> Bool { table.orders[i] > 0 }
    public func recencyDays(_ i: Int) -> Int { Int((options.asOf - table.lastOrder[i]) / 86_400) }
    public func tenureDays(_ i: Int) -> Int { Int((options.asOf - table.firstOrder[i]) / 86_400) }
    public func lifecycle(_ i: Int) -> LifecycleStage { LifecycleStage(tenureDays: tenureDays(i), recencyDays: recencyDays(i)) }

    public func churnRisk(_ i: Int) -> ChurnRisk {
        let r = recencyDays(i)
        return r <= options.greenDays ? .green : r <= options.redDays ? .yellow : .red
    }

    public func valueTier(_ i: Int) -> ValueTier {
        let spend = table.spendCents[i]
        var passed = 0
        switch options.tierRule {
        case .percentile(let cuts):
            // below = number of spends < spend (binary search for the first index ≥ spend).
            var lo = 0, hi = sortedSpend.count
            while lo < hi { let mid = (lo + hi) / 2; if sortedSpend[mid] < spend { lo = mid + 1 } else { hi = mid } }
            let below = Double(lo) * 100, n = Double(sortedSpend.count)
            for c in cuts where below >= c * n { passed += 1 }
        case .spendCents(let cuts):
            for c in cuts where spend >= c { passed += 1 }
        }
        return ValueTier.allCases[passed]
    }

    /// All features of entry `i`; nil for a label-only entry without aggregated orders.
    public func features(_ i: Int) -> CustomerFeatures? {
        guard hasOrders(i) else { return nil }
        let k = CustomerTable.categories
        return CustomerFeatures(firstOrder: table.firstOrder[i], lastOrder: table.lastOrder[i], orders: Int(table.orders[i]), spendCents: table.spendCents[i],
                                categoryOrders: table.categoryOrders[(i * k)..<(i * k + k)].map(Int.init),
                                categorySpendCents: Array(table.categorySpendCents[(i * k)..<(i * k + k)]),
                                mainRegion: table.mainRegion(i), recencyDays: recencyDays(i), tenureDays: tenureDays(i),
                                lifecycle: lifecycle(i), valueTier: valueTier(i), churnRisk: churnRisk(i))
    }

    public func features(of customerID: String) -> CustomerFeatures? { table.entry(of: customerID).flatMap(features) }
}
