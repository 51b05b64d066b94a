/// A brand's local profile vector for the `vector-sum` job: for every (category, region) cell
/// of the taxonomy, the number of orders and the spend in whole currency units. Computed by
/// streaming the order file; only these sums, encrypted, ever leave the participant.
public enum CellProfile {
    public static var cells: [(category: String, region: String)] {
        Taxonomy.categories.flatMap { c in Taxonomy.regions.map { (c, $0) } }
    }

    /// Labels in vector order: "orders:<category>:<region>" then "spend:<category>:<region>".
    public static var labels: [String] {
        cells.map { "orders:\($0.category):\($0.region)" } + cells.map { "spend:\($0.category):\($0.region)" }
    }

    public static func vector(ordersAt path: String, onInvalid: (RowError) -> Bool = { _ in false }) throws -> (values: [Int64], summary: OrderCSVReader.Summary) {
        let index = Dictionary(uniqueKeysWithValues: cells.enumerated().map { ("\($1.category)|\($1.region)", $0) })
        var orders = [Int64](repeating: 0, count: cells.count)
        var cents = [Int64](repeating: 0, count: cells.count)
        let summary = try OrderCSVReader(path: path).forEach(onInvalid: onInvalid) { record in
            let i = index["\(record.category)|\(record.region)"]!
            orders[i] += 1
            cents[i] += record.amountCents
        }
        return (orders + cents.map { ($0 + 50) / 100 }, summary)
    }
}

/// A released (noised) profile table: per cell the noised order count and spend, an error bar
/// from the known noise, and suppression of cells whose noised count is under a minimum
/// (suppressed cells are flagged and their values withheld).
public struct ReleasedProfile: Sendable {
    public struct Cell: Sendable {
        public let category: String
        public let region: String
        public let orders: Int64?
        public let spend: Int64?
        public var suppressed: Bool { orders == nil }
    }

    public let cells: [Cell]
    /// Standard deviation of the noise in each released value (√(contributors · variance)).
    public let noiseStandardDeviation: Double
    public let minimumCount: Int64

    public init(sums: [Int64], noiseStandardDeviation: Double, minimumCount: Int64) {
        let layout = CellProfile.cells
        precondition(sums.count == 2 * layout.count, "a profile has \(2 * layout.count) values")
        cells = layout.enumerated().map { i, cell in
            let count = sums[i]
            let keep = count >= minimumCount
            return Cell(category: cell.category, region: cell.region, orders: keep ? count : nil, spend: keep ? sums[layout.count + i] : nil)
        }
        self.noiseStandardDeviation = noiseStandardDeviation
        self.minimumCount = minimumCount
    }

    /// A fixed-width table; ± is the 95% half-width (1.96 σ).
    public func table() -> String {
        let bar = 1.96 * noiseStandardDeviation
        var out = "category     region       orders (±\(Int(bar.rounded())))   spend (±\(Int(bar.rounded())))\n"
        for c in cells {
            let name = c.category.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + c.region.padding(toLength: 8, withPad: " ", startingAt: 0)
            if let orders = c.orders, let spend = c.spend {
                out += name + String(orders).leftPadded(14) + String(spend).leftPadded(17) + "\n"
            } else {
                out += name + "     suppressed (noised count under \(minimumCount))\n"
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}
