import Foundation

/// A decoded segment profile: per cell customers, orders, spend (currency units), orders per
/// category and customers per churn colour, with each value's 95% error bar; suppressed cells
/// carry no values.
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
        /// Nil for suppressed cells and for plaintext tables.
        public let errorBars95: ErrorBars?
    }

    /// Half-width of the 95% interval of each value of a cell: one for customers, orders and
    /// spend, one for every category of the histogram, one for every churn colour.
    public struct ErrorBars: Codable, Sendable, Equatable {
        public let customers: Double
        public let orders: Double
        public let spend: Double
        public let histogram: Double
        public let churn: Double
    }

    public let cells: [Cell]
    public let minimumCustomers: Double

    public static var csvHeader: String {
        (["stage", "tier", "region", "suppressed", "customers", "orders", "spend"] + Taxonomy.categories.map { "orders:\($0)" }
            + ChurnRisk.allCases.map { "churn:\($0.rawValue)" }
            + ["±95% customers", "±95% orders", "±95% spend", "±95% each category", "±95% each churn colour"]).joined(separator: ",")
    }

    /// CSV with `csvHeader`: values rounded to cents, then the cell's error bars; suppressed
    /// cells have empty values.
    public func csv() -> String {
        func f(_ x: Double?) -> String {
            guard let x else { return "" }
            let r = (x * 100).rounded() / 100
            return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
        }
        var out = Self.csvHeader + "\n"
        for c in cells {
            let e = c.errorBars95
            let values = [c.customers, c.orders, c.spend] + (c.histogram ?? Array(repeating: nil, count: Taxonomy.categories.count)) + (c.churn ?? [nil, nil, nil])
                + [e?.customers, e?.orders, e?.spend, e?.histogram, e?.churn]
            out += ([c.stage.rawValue, c.tier.rawValue, c.region, c.suppressed ? "1" : "0"] + values.map(f)).joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON with sorted keys (stable bytes for the same table).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
