import Foundation

/// A readable summary of one centroid: the features whose cluster mean deviates most from the
/// overall mean, which is how marketing segments are usually named ("high frequency, recent").
public struct ClusterDescription: Codable, Sendable, Hashable {
    public struct Deviation: Codable, Sendable, Hashable {
        public let feature: String
        public let clusterMean: Double
        public let overallMean: Double
        public var difference: Double { clusterMean - overallMean }
    }

    public let cluster: Int
    /// Noisy number of customers (clamped at 0).
    public let customers: Double
    /// Largest |difference| first.
    public let deviations: [Deviation]

    public var summary: String {
        let parts = deviations.map {
            let sign = $0.difference >= 0 ? "+" : ""
            return "\($0.feature) \(sign)\(f2($0.difference)) (\(f2($0.clusterMean)) vs \(f2($0.overallMean)))"
        }
        return "Cluster \(cluster) (≈\(String(format: "%.0f", customers)) customers): " + parts.joined(separator: ", ")
    }
}

extension KMeans {
    /// Describes each centroid by its `top` largest deviations from the overall mean. The
    /// overall mean is the count-weighted mean of the centroids (negative noisy counts count
    /// as 0; if all are 0, the plain mean of centroids), so it is post-processing of the same
    /// released sums and costs no extra privacy.
    public func describe(centroids: [[Double]], counts: [Double], featureNames: [String],
                         top: Int = 3) -> [ClusterDescription] {
        checkCentroids(centroids)
        precondition(counts.count == parameters.clusters && featureNames.count == parameters.dimension,
                     "counts and feature names shape")
        let weights = counts.map { $0.isFinite ? max($0, 0) : 0 }
        let total = weights.reduce(0, +)
        let w = total > 0 ? weights.map { $0 / total }
                          : [Double](repeating: 1 / Double(parameters.clusters), count: parameters.clusters)
        let overall = (0..<parameters.dimension).map { j in
            centroids.indices.reduce(0) { $0 + w[$1] * centroids[$1][j] }
        }
        return centroids.enumerated().map { c, centroid in
            let devs = (0..<parameters.dimension).map {
                ClusterDescription.Deviation(feature: featureNames[$0], clusterMean: centroid[$0],
                                             overallMean: overall[$0])
            }.sorted { abs($0.difference) > abs($1.difference) }
            return ClusterDescription(cluster: c, customers: weights[c], deviations: Array(devs.prefix(top)))
        }
    }
}

private func f2(_ x: Double) -> String { String(format: "%.2f", x) }
