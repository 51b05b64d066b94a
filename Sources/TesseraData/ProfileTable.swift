import Foundation

/// A decoded segment profile: per cell customers, orders, spend (currency units), orders per
/// category and customers per churn colour; suppressed cells carry no values.
public struct ProfileTable: Codable, Sendable, Equatable {
    public struct Cell: Codable, Sendable, Equatable {
        public let stage: LifecycleStage
        public let tier: ValueTier
        public let region: String
        public let suppressed: Bool
        public let customers: Double?
        public let orders: Double?
        public let spend: Double?
        /// Orders per category, in `Taxonomy.categories` order.
        public let histogram: [Double]?
        /// Customers per churn colour: green, yellow, red.
        public let churn: [Double]?
    }

    /// Half-width of the 95% interval of every value of a statistic (0 without noise).
    public struct ErrorBars: Codable, Sendable, Equatable {
        public let customers: Double
        public let orders: Double
        public let spend: Double
        public let histogram: Double
        public let churn: Double
        public static let zero = ErrorBars(customers: 0, orders: 0, spend: 0, histogram: 0, churn: 0)
    }

    public let cells: [Cell]
    public let errorBars95: ErrorBars
    public let minimumCustomers: Double

    public static var csvHeader: String {
        (["stage", "tier", "region", "suppressed", "customers", "orders", "spend"] + Taxonomy.categories.map { "orders:\($0)" }
            + ChurnRisk.allCases.map { "churn:\($0.rawValue)" }).joined(separator: ",")
    }

    /// CSV with `csvHeader`; values rounded to cents; suppressed cells have empty values. A last
    /// row with stage `±95%` holds the error bars of each column.
    public func csv() -> String {
        func f(_ x: Double?) -> String {
            guard let x else { return "" }
            let r = (x * 100).rounded() / 100
            return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
        }
        var out = Self.csvHeader + "\n"
        for c in cells {
            let values = [c.customers, c.orders, c.spend] + (c.histogram ?? Array(repeating: nil, count: Taxonomy.categories.count)) + (c.churn ?? [nil, nil, nil])
            out += ([c.stage.rawValue, c.tier.rawValue, c.region, c.suppressed ? "1" : "0"] + values.map(f)).joined(separator: ",") + "\n"
        }
        let e = errorBars95
        let bars = [e.customers, e.orders, e.spend] + Array(repeating: e.histogram, count: Taxonomy.categories.count) + Array(repeating: e.churn, count: 3)
        out += (["±95%", "", "", ""] + bars.map(f)).joined(separator: ",") + "\n"
        return out
    }

    /// JSON with sorted keys (stable bytes for the same table).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
