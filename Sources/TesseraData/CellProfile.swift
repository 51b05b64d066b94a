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
