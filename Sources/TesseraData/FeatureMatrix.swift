import Foundation

/// Numeric features for learning, scaled by PUBLIC fixed transforms: no mean, variance or
/// quantile of the data enters the scaling (a data-dependent statistic would itself leak and
/// would differ between brands). Every column lies in [0, 1]:
/// - recency: min(1, ln(1 + recency days) / ln 366)
/// - frequency: min(1, ln(1 + orders) / ln 50)
/// - monetary: min(1, ln(1 + spend in currency units) / ln 10000)
/// - tenure: min(1, tenure days / 1095)
/// - share:<category>: the customer's share of orders per category, in `Taxonomy.categories` order
/// The clipping to [0, 1] also bounds each row's norm (‖row‖² ≤ 5), which private learning needs.
public enum FeatureMatrix {
    public static var columns: [String] { ["recency", "frequency", "monetary", "tenure"] + Taxonomy.categories.map { "share:\($0)" } }

    public static func row(_ f: CustomerFeatures) -> [Double] {
        [min(1, log1p(Double(f.recencyDays)) / log(366)),
         min(1, log1p(Double(f.orders)) / log(50)),
         min(1, log1p(Double(f.spendCents) / 100) / log(10_000)),
         min(1, Double(f.tenureDays) / 1095)] + f.categoryShares
    }

    /// One row per customer with orders, in table order (first appearance in the source).
    public static func rows(_ derivation: FeatureDerivation) -> [[Double]] {
        (0..<derivation.table.entries).compactMap { derivation.features($0).map(row) }
    }
}

/// A labelled data set for "repurchase within H days" propensity models.
///
/// cutoff = asOf − H days. Features are computed on orders with timestamp ≤ cutoff, observed at
/// the cutoff (recency and tenure count days to the cutoff; tiers rank the customers present at
/// the cutoff). Label 1 if the customer has an order in (cutoff, asOf], else 0. Customers whose
/// first order is after the cutoff have no features and are excluded; orders after asOf are ignored.
public struct PropensityDataset: Sendable {
    public let columns: [String]
    public let features: [[Double]]
    public let labels: [Double]
    public let cutoff: Int64

    public static func build(from source: some OrderSource, asOf: Int64 = SyntheticBrands.observationEnd, horizonDays: Int,
                             options: FeatureOptions = FeatureOptions(),
                             onInvalid: (RowError) -> Bool = { _ in false }) throws -> (dataset: PropensityDataset, summary: OrderSourceSummary) {
        guard horizonDays > 0 else { throw FeatureError("the horizon must be at least one day") }
        let cutoff = asOf - Int64(horizonDays) * 86_400
        let (table, summary) = try CustomerTable.build(from: source, through: cutoff, labelWindowEnd: asOf, onInvalid: onInvalid)
        return (try PropensityDataset(table: table, options: options), summary)
    }

    /// From a table built with `through` = cutoff and `labelWindowEnd` = asOf;
    /// `options.asOf` is replaced by the cutoff.
    public init(table: CustomerTable, options: FeatureOptions = FeatureOptions()) throws {
        guard table.labelWindowEnd != nil else { throw FeatureError("the table has no label window") }
        var atCutoff = options
        atCutoff.asOf = table.through
        let derivation = try FeatureDerivation(table: table, options: atCutoff)
        var features: [[Double]] = [], labels: [Double] = []
        for i in 0..<table.entries {
            guard let f = derivation.features(i) else { continue }
            features.append(FeatureMatrix.row(f))
            labels.append(table.repurchased[i] ? 1 : 0)
        }
        self.columns = FeatureMatrix.columns
        self.features = features
        self.labels = labels
        self.cutoff = table.through
    }
}
