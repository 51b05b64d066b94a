/// Per-customer aggregates of a brand's orders, built in one streaming pass: one small record
/// per customer (struct of arrays: about 160 bytes each), never the orders themselves.
/// Customer ids stay in this table, on the participant; nothing derived from it names them.
///
/// Orders with `timestamp ≤ through` are aggregated. If `labelWindowEnd` is set, an order in
/// `(through, labelWindowEnd]` only marks its customer as `repurchased` (the propensity label);
/// a customer seen only there has no aggregated orders and is excluded from every derivation.
/// Other orders (later ones) are counted in `ordersOutsideWindow` and otherwise ignored.
public struct CustomerTable: Sendable {
    public let through: Int64
    public let labelWindowEnd: Int64?

    var index: [String: Int32] = [:]
    public private(set) var firstOrder: [Int64] = []
    public private(set) var lastOrder: [Int64] = []
    public private(set) var orders: [Int32] = []
    public private(set) var spendCents: [Int64] = []
    /// Row-major, `Taxonomy.categories.count` per customer.
    public private(set) var categoryOrders: [Int32] = []
    public private(set) var categorySpendCents: [Int64] = []
    /// Row-major, `Taxonomy.regions.count` per customer.
    public private(set) var regionOrders: [Int32] = []
    public private(set) var repurchased: [Bool] = []
    public private(set) var ordersOutsideWindow = 0

    static let categories = Taxonomy.categories.count
    static let regions = Taxonomy.regions.count

    public init(through: Int64 = SyntheticBrands.observationEnd, labelWindowEnd: Int64? = nil) {
        precondition(labelWindowEnd.map { $0 >= through } ?? true, "the label window ends after `through`")
        self.through = through
        self.labelWindowEnd = labelWindowEnd
    }

    /// Aggregates every valid row of `source`.
    public static func build(from source: some OrderSource, through: Int64 = SyntheticBrands.observationEnd, labelWindowEnd: Int64? = nil,
                             onInvalid: (RowError) -> Bool = { _ in false }) throws -> (table: CustomerTable, summary: OrderSourceSummary) {
        var table = CustomerTable(through: through, labelWindowEnd: labelWindowEnd)
        let summary = try source.forEach(onInvalid: onInvalid) { table.add($0) }
        return (table, summary)
    }

    /// Number of table entries (including label-only customers, who have `orders == 0`).
    public var entries: Int { orders.count }

    /// The entry of a customer, for local joins and tests.
    public func entry(of customerID: String) -> Int? { index[customerID].map(Int.init) }

    mutating func slot(_ id: String) -> Int {
        if let i = index[id] { return Int(i) }
        let i = orders.count
        precondition(i < Int(Int32.max), "too many customers")
        index[id] = Int32(i)
        firstOrder.append(.max)
        lastOrder.append(.min)
        orders.append(0)
        spendCents.append(0)
        categoryOrders.append(contentsOf: repeatElement(0, count: Self.categories))
        categorySpendCents.append(contentsOf: repeatElement(0, count: Self.categories))
        regionOrders.append(contentsOf: repeatElement(0, count: Self.regions))
        repurchased.append(false)
        return i
    }

    public mutating func add(_ r: OrderRecord) {
        guard r.timestamp <= through else {
            if let end = labelWindowEnd, r.timestamp <= end { repurchased[slot(r.customerID)] = true } else { ordersOutsideWindow += 1 }
            return
        }
        // Validated records carry the taxonomy's strings; anything else is a programming error.
        guard let c = Taxonomy.categoryIndex(r.category), let g = Taxonomy.regionIndex(r.region) else {
            preconditionFailure("a record outside the taxonomy")
        }
        let i = slot(r.customerID)
        firstOrder[i] = min(firstOrder[i], r.timestamp)
        lastOrder[i] = max(lastOrder[i], r.timestamp)
        orders[i] += 1
        spendCents[i] += r.amountCents
        categoryOrders[i * Self.categories + c] += 1
        categorySpendCents[i * Self.categories + c] += r.amountCents
        regionOrders[i * Self.regions + g] += 1
    }

    /// The region with most orders; ties go to the earlier region in `Taxonomy.regions`.
    public func mainRegion(_ i: Int) -> Int {
        var best = 0
        for g in 1..<Self.regions where regionOrders[i * Self.regions + g] > regionOrders[i * Self.regions + best] { best = g }
        return best
    }
}
