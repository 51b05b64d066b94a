import Foundation
import TesseraData
import TesseraLearning

/// A participant's local data for jobs: an explicit vector (`vector-sum`) and/or an order
/// source (CSV, or SQLite with an `orders` table) from which customer features are derived
/// once and cached. Nothing here leaves the participant; only the jobs' bounded sums do.
public final class LocalInputs: @unchecked Sendable {
    public let vector: [Int64]?
    public let ordersPath: String?
    /// Skip invalid order rows (counted) instead of refusing the job.
    public let skipInvalidRows: Bool
    private let lock = NSLock()
    private var tables: [Int64: (CustomerTable, OrderSourceSummary)] = [:]
    private var propensities: [String: (rows: [[Double]], labels: [Bool])] = [:]
    /// Rows read and skipped, from the first pass over the order data (any job kind).
    private var summary: OrderSourceSummary?
    /// Derived features and learning rows per feature options: computed once, not every round
    /// (a derivation ranks every customer's spend).
    private var derived: [(options: FeatureOptions, derivation: FeatureDerivation, rows: [[Double]]?)] = []

    public init(vector: [Int64]?, ordersPath: String?, skipInvalidRows: Bool = false) {
        self.vector = vector
        self.ordersPath = ordersPath
        self.skipInvalidRows = skipInvalidRows
    }

    func source() throws -> any OrderSource {
        guard let ordersPath else { throw JobError("this job needs order data (--orders)") }
        return ordersPath.hasSuffix(".sqlite") || ordersPath.hasSuffix(".db") ? SQLiteOrderSource(path: ordersPath) : OrderCSVReader(path: ordersPath)
    }

    /// The customer table of orders up to `asOf` (cached per asOf).
    public func table(through asOf: Int64) throws -> (CustomerTable, OrderSourceSummary) {
        lock.lock(); defer { lock.unlock() }
        if let t = tables[asOf] { return t }
        let skip = skipInvalidRows
        let built = try CustomerTable.build(from: try source(), through: asOf, onInvalid: { _ in skip })
        tables[asOf] = built
        summary = summary ?? built.1
        return built
    }

    /// Rows read and skipped in the order data, once it has been read.
    public func orderSummary() -> OrderSourceSummary? {
        lock.lock(); defer { lock.unlock() }
        return summary
    }

    public func derivation(_ options: FeatureOptions) throws -> FeatureDerivation {
        let table = try table(through: options.asOf).0
        lock.lock(); defer { lock.unlock() }
        if let cached = derived.first(where: { $0.options == options }) { return cached.derivation }
        let derivation = try FeatureDerivation(table: table, options: options)
        derived.append((options, derivation, nil))
        return derivation
    }

    public func featureRows(_ options: FeatureOptions) throws -> [[Double]] {
        let derivation = try derivation(options)
        lock.lock(); defer { lock.unlock() }
        let i = derived.firstIndex { $0.options == options }!
        if let rows = derived[i].rows { return rows }
        let rows = FeatureMatrix.rows(derivation)
        derived[i].rows = rows
        return rows
    }

    public func propensity(_ job: LogisticJob) throws -> (rows: [[Double]], labels: [Bool]) {
        let key = "\(job.features.asOf)/\(job.horizonDays)"
        lock.lock()
        if let p = propensities[key] { lock.unlock(); return p }
        lock.unlock()
        let skip = skipInvalidRows
        let (data, read) = try PropensityDataset.build(from: try source(), asOf: job.features.asOf, horizonDays: job.horizonDays,
                                                    options: job.features, onInvalid: { _ in skip })
        let p = (data.features, data.labels.map { $0 > 0.5 })
        lock.lock(); propensities[key] = p; summary = summary ?? read; lock.unlock()
        return p
    }
}
