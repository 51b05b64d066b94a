import Foundation
import TesseraData
import TesseraLearning
import TesseraRandom

/// What a job kind computes on one participant's data, per round (protocol/README.md §7).
///
/// - `vector-sum`: the participant's own vector, as given; the privacy unit is the participant.
/// - `segment-profile`: per cell of a shared taxonomy, bounded per-customer sums
///   (`SegmentProfile`); one release.
/// - `kmeans`: federated Lloyd iterations (`KMeans`); round r assigns customers to the
///   centroids decoded from the released sums of rounds 1..r−1.
/// - `logreg`: DP-FedAvg (`LogisticRegression`); round r sends the clipped gradient sums at
///   the model decoded from rounds 1..r−1, followed by that model's evaluation histograms.
///
/// For the last three the privacy unit is one customer: the local computation bounds each
/// customer's contribution, `perCustomerL2Squared` is that bound, and the job's `l2_bound`
/// must cover it. Everything here is a function of public parameters and released sums, so
/// every participant, the coordinator and an auditor derive the same model state.
public enum JobComputation: Sendable {
    case vectorSum
    case segmentProfile(SegmentProfileSpec)
    case kmeans(KMeansJob)
    case logreg(LogisticJob)

    public static let kinds = ["vector-sum", "segment-profile", "kmeans", "logreg"]

    /// From parameters in JSON text (the signed spec's canonical form), e.g. `{"model": {"clusters": 5}}`.
    public init(kind: String, parameters: String) throws {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: Data((parameters.isEmpty ? "{}" : parameters).utf8)) } catch {
            throw JobError("\(kind) parameters are not JSON: \(error)")
        }
        try self.init(kind: kind, parameters: value)
    }

    /// From a parameters object laid over the kind's defaults (a job file names only what it changes).
    public init(kind: String, parameters: JSONValue) throws {
        func decode<T: Codable>(_ defaults: T) throws -> T {
            do { return try JSONValue.decode(T.self, overlay: parameters, defaults: defaults) } catch {
                throw JobError("\(kind) parameters: \(error)")
            }
        }
        switch kind {
        case "vector-sum":
            guard parameters == .object([:]) || parameters == .null else { throw JobError("vector-sum takes no parameters") }
            self = .vectorSum
        case "segment-profile":
            let spec = try decode(SegmentProfileSpec())
            do { try spec.validate() } catch { throw JobError("segment-profile parameters: \(error)") }
            self = .segmentProfile(spec)
        case "kmeans":
            let job = try decode(KMeansJob(model: KMeansParameters(clusters: 5, dimension: FeatureMatrix.columns.count), initSeed: 1))
            _ = try job.kmeans()
            self = .kmeans(job)
        case "logreg":
            let job = try decode(LogisticJob(model: LogisticParameters(dimension: FeatureMatrix.columns.count), learningRate: 1))
            _ = try job.regression()
            self = .logreg(job)
        default:
            throw JobError("unknown job kind \(kind.debugDescription); known: \(Self.kinds.joined(separator: ", "))")
        }
    }

    public var kind: String {
        switch self {
        case .vectorSum: "vector-sum"
        case .segmentProfile: "segment-profile"
        case .kmeans: "kmeans"
        case .logreg: "logreg"
        }
    }

    /// The parameters in canonical JSON (sorted keys), as the signed job spec carries them.
    public var canonicalParameters: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data? = switch self {
        case .vectorSum: nil
        case .segmentProfile(let s): try? encoder.encode(s)
        case .kmeans(let k): try? encoder.encode(k)
        case .logreg(let l): try? encoder.encode(l)
        }
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Values per update; nil for `vector-sum`, whose length the job file states.
    public var vectorLength: Int? {
        switch self {
        case .vectorSum: nil
        case .segmentProfile(let s): s.length
        case .kmeans(let k): (try? k.kmeans())?.vectorLength
        case .logreg(let l): (try? l.regression()).map { $0.vectorLength + $0.evaluationVectorLength }
        }
    }

    /// Exact bound on the squared L2 norm of one customer's contribution; nil for `vector-sum`.
    public var perCustomerL2Squared: Int64? {
        switch self {
        case .vectorSum: nil
        case .segmentProfile(let s): s.perCustomerL2Squared
        case .kmeans(let k): (try? k.kmeans())?.perCustomerL2Squared
        case .logreg(let l): (try? l.regression()).map { $0.perCustomerL2Squared + $0.evaluationL2Squared }
        }
    }

    /// The smallest integer L2 bound covering one customer: ⌈√perCustomerL2Squared⌉.
    public var perCustomerL2Bound: Int64? {
        perCustomerL2Squared.map { sq in
            var r = Int64(Double(sq).squareRoot())
            while r * r < sq { r += 1 }
            while r > 0, (r - 1) * (r - 1) >= sq { r -= 1 }
            return r
        }
    }

    /// Whether round r starts from the released results of rounds 1 … r − 1 (model state).
    public var startsFromEarlierResults: Bool {
        switch self {
        case .kmeans, .logreg: true
        case .vectorSum, .segmentProfile: false
        }
    }

    /// The participant's update for `round` (1-based), given the released sums of the earlier
    /// rounds in order (only for kinds that `startsFromEarlierResults`).
    public func update(round: Int, previous: [[Int64]], inputs: LocalInputs) throws -> [Int64] {
        guard !startsFromEarlierResults || previous.count == round - 1 else {
            throw JobError("round \(round) needs the results of rounds 1...\(round - 1); have \(previous.count)")
        }
        switch self {
        case .vectorSum:
            guard let v = inputs.vector else { throw JobError("vector-sum needs a local vector (--data)") }
            return v
        case .segmentProfile(let spec):
            return try SegmentProfile.localVector(try inputs.derivation(spec.features), spec: spec)
        case .kmeans(let job):
            let model = try job.kmeans()
            let rows = try inputs.featureRows(job.features)
            return model.localUpdate(rows: rows, centroids: try job.centroids(after: previous))
        case .logreg(let job):
            let model = try job.regression()
            let data = try inputs.propensity(job)
            let current = try job.model(after: previous)
            return model.localUpdate(rows: data.rows, labels: data.labels, model: current)
                + model.evaluationVector(rows: data.rows, labels: data.labels, model: current)
        }
    }
}

/// A federated k-means job: the model's public parameters, the public seed of the initial
/// centroids, and the feature options.
public struct KMeansJob: Codable, Sendable {
    public var model: KMeansParameters
    public var initSeed: UInt64
    public var features: FeatureOptions

    public init(model: KMeansParameters, initSeed: UInt64, features: FeatureOptions = FeatureOptions()) {
        self.model = model
        self.initSeed = initSeed
        self.features = features
    }

    public func kmeans() throws -> KMeans {
        guard model.dimension == FeatureMatrix.columns.count else {
            throw JobError("kmeans dimension \(model.dimension) differs from the \(FeatureMatrix.columns.count) customer features")
        }
        return try KMeans(model)
    }

    /// The public initial centroids: uniform in the feature box from `initSeed`, with the
    /// category-share coordinates (the last `Taxonomy.categories.count` features, which sum to 1
    /// for every customer) renormalized onto that simplex. This uses the public feature schema
    /// only, never the data; without it most starting points lie far from every customer and
    /// their clusters stay empty.
    public func initialCentroids() throws -> [[Double]] {
        let k = try kmeans()
        let shares = Taxonomy.categories.count, d = model.dimension
        return k.initialCentroids(seed: Seed(initSeed)).map { c in
            var c = c
            let total = c[(d - shares)...].reduce(0, +)
            if total > 0 { for j in (d - shares)..<d { c[j] /= total } }
            return c
        }
    }

    /// Centroids in force after the given released rounds (the public initial ones first).
    public func centroids(after results: [[Int64]]) throws -> [[Double]] {
        let k = try kmeans()
        var centroids = try initialCentroids()
        for sums in results {
            guard sums.count == k.vectorLength else { throw JobError("kmeans result has \(sums.count) values, expected \(k.vectorLength)") }
            centroids = k.decode(sums: sums, previous: centroids)
        }
        return centroids
    }
}

/// A DP-FedAvg propensity job: "repurchase within `horizonDays`", the model's public
/// parameters and the server learning rate.
public struct LogisticJob: Codable, Sendable {
    public var model: LogisticParameters
    public var learningRate: Double
    public var horizonDays: Int
    public var features: FeatureOptions

    public init(model: LogisticParameters, learningRate: Double, horizonDays: Int = 90, features: FeatureOptions = FeatureOptions()) {
        self.model = model
        self.learningRate = learningRate
        self.horizonDays = horizonDays
        self.features = features
    }

    public func regression() throws -> LogisticRegression {
        guard model.dimension == FeatureMatrix.columns.count else {
            throw JobError("logreg dimension \(model.dimension) differs from the \(FeatureMatrix.columns.count) customer features")
        }
        guard learningRate.isFinite, learningRate > 0, horizonDays > 0 else { throw JobError("logreg needs a positive learning rate and horizon") }
        return try LogisticRegression(model)
    }

    /// The model in force after the given released rounds (zero at the start).
    public func model(after results: [[Int64]]) throws -> LogisticModel {
        let lr = try regression()
        var current = LogisticModel(dimension: model.dimension)
        for sums in results {
            guard sums.count == lr.vectorLength + lr.evaluationVectorLength else {
                throw JobError("logreg result has \(sums.count) values, expected \(lr.vectorLength + lr.evaluationVectorLength)")
            }
            current = lr.decode(sums: Array(sums[0..<lr.vectorLength]), model: current, learningRate: learningRate)
        }
        return current
    }

    /// The evaluation (AUC, log-loss) released with round r, of the model in force during r.
    public func evaluation(of sums: [Int64]) throws -> EvaluationResult {
        let lr = try regression()
        return lr.evaluate(sums: Array(sums[lr.vectorLength...]))
    }
}

public struct JobError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
