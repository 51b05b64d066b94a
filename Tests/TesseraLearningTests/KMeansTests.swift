import Foundation
import Testing
import TesseraRandom
@testable import TesseraLearning

private let centres: [[Double]] = [[0.2, 0.2, 0.2], [0.8, 0.8, 0.2], [0.2, 0.8, 0.8], [0.8, 0.2, 0.8]]

private func federatedRun(_ km: KMeans, _ parts: [[[Double]]], rounds: Int, seed: Seed,
                          noiseSigma: Double = 0, noise: inout Synthetic) -> [[Double]] {
    var centroids = km.initialCentroids(seed: seed)
    for _ in 0..<rounds {
        var s = sum(parts.map { km.localUpdate(rows: $0, centroids: centroids) })
        if noiseSigma > 0 { s = noise.noisy(s, sigma: noiseSigma) }
        centroids = km.decode(sums: s, previous: centroids)
    }
    return centroids
}

@Test func kmeansRecoversSeparatedGaussianClusters() throws {
    var gen = Synthetic(seed: 101)
    let rows = gen.gaussianClusters(centres: centres, perCluster: 250, sigma: 0.04)
    let km = try KMeans(KMeansParameters(clusters: 4, dimension: 3))
    let result = federatedRun(km, brands(rows, count: 3), rounds: 20, seed: Seed(1), noise: &gen)
    for c in centres {
        let nearest = result.map { squaredDistance($0, c).squareRoot() }.min()!
        #expect(nearest < 0.02, "centre \(c) not recovered: \(result)")
    }
    let baseline = km.baselineKMeansPlusPlus(rows: rows, restarts: 5, seed: Seed(2))
    let gap = KMeans.relativeCostGap(cost: km.cost(rows: rows, centroids: result),
                                     baseline: km.cost(rows: rows, centroids: baseline))
    #expect(abs(gap) < 1e-3)
    // Lloyd on the union from the same start is what the noiseless federated run computes.
    let lloyd = km.baselineLloyd(rows: rows, initial: km.initialCentroids(seed: Seed(1)))
    for (a, b) in zip(lloyd, result) { #expect(squaredDistance(a, b).squareRoot() < 1e-4) }
}

@Test func kmeansWithNoiseStaysNearBaseline() throws {
    var gen = Synthetic(seed: 102)
    let rows = gen.gaussianClusters(centres: centres, perCluster: 4000, sigma: 0.05)
    let km = try KMeans(KMeansParameters(clusters: 4, dimension: 3))
    // Noise multiplier 10 (σ = 10 × per-customer L2 sensitivity): 10 rounds cost
    // ρ = 10/(2·10²) = 0.05 zCDP, ε ≈ 1.7 at δ = 1e-6 (Bun & Steinke 2016, Prop. 1.3).
    let sigma = 10 * Double(km.perCustomerL2Squared).squareRoot()
    let result = federatedRun(km, brands(rows, count: 4), rounds: 10, seed: Seed(1),
                              noiseSigma: sigma, noise: &gen)
    let baseline = km.baselineKMeansPlusPlus(rows: rows, restarts: 3, seed: Seed(2))
    let gap = KMeans.relativeCostGap(cost: km.cost(rows: rows, centroids: result),
                                     baseline: km.cost(rows: rows, centroids: baseline))
    // Measured 0.016 with 4 × 4000 customers; the centroid error shrinks as σ / cluster size.
    #expect(gap < 0.05, "relative cost gap \(gap)")
}

@Test func brandUpdatesSumToUnionUpdate() throws {
    var gen = Synthetic(seed: 103)
    let rows = gen.gaussianClusters(centres: centres, perCluster: 100, sigma: 0.3)  // spills out of the box
    let km = try KMeans(KMeansParameters(clusters: 4, dimension: 3))
    let centroids = km.initialCentroids(seed: Seed(9))
    let union = km.localUpdate(rows: rows, centroids: centroids)
    #expect(sum(brands(rows, count: 5).map { km.localUpdate(rows: $0, centroids: centroids) }) == union)
    #expect(km.noisyCounts(sums: union).reduce(0, +) == Double(rows.count))
}

@Test func kmeansSensitivityBoundHoldsOnExtremeRows() throws {
    for box in [FeatureBox(), FeatureBox(lower: -1.5, upper: 0.7)] {
        let d = 4
        let km = try KMeans(KMeansParameters(clusters: 3, dimension: d, box: box,
                                             fixedPoint: FixedPoint(scale: 1000), countWeight: 777))
        let extremes = [box.lower, box.upper, -.infinity, .infinity, .nan, -1e300, 1e300, 0]
        var rows: [[Double]] = []
        for code in 0..<Int(pow(Double(extremes.count), Double(d))) {
            var c = code
            rows.append((0..<d).map { _ in defer { c /= extremes.count }; return extremes[c % extremes.count] })
        }
        var gen = Synthetic(seed: 104)
        let centroidSets = [km.initialCentroids(seed: Seed(3)),
                            (0..<3).map { _ in (0..<d).map { _ in gen.uniform() } }]
        var largest: Int64 = 0
        for centroids in centroidSets {
            for row in rows {
                let v = km.localUpdate(rows: [row], centroids: centroids)
                largest = max(largest, squaredNorm(v))
                #expect(v.allSatisfy { abs($0) <= km.perCustomerMaxAbs })
            }
        }
        #expect(largest <= km.perCustomerL2Squared)
        #expect(largest == km.perCustomerL2Squared, "the bound is attained at a corner, hence exact")
        let r = Int64((box.bound * 1000).rounded())
        #expect(km.perCustomerL2Squared == Int64(d) * r * r + 777 * 777)
    }
}

@Test func kmeansDecoderSurvivesNegativeAndEmptyCounts() throws {
    let km = try KMeans(KMeansParameters(clusters: 3, dimension: 2, fixedPoint: FixedPoint(scale: 100)))
    let previous: [[Double]] = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    // Cluster 0: negative count; cluster 1: empty; cluster 2: 0.5 customers with huge sums.
    let sums: [Int64] = [5_000, -7_000, -300, 12_345, 999, 0, 4_000_000, -4_000_000, 50]
    let next = km.decode(sums: sums, previous: previous)
    #expect(next[0] == previous[0])
    #expect(next[1] == previous[1])
    #expect(next[2] == previous[2])
    // A real cluster of 2 customers with a noisy sum outside the box is clipped into it.
    let next2 = km.decode(sums: [0, 0, 0, 0, 0, 0, 500, -30, 200], previous: previous)
    #expect(next2[2] == [1, 0])
    let extreme = km.decode(sums: [Int64.max, Int64.min, Int64.max, Int64.min, Int64.max, Int64.min,
                                   Int64.min, Int64.max, Int64.max], previous: previous)
    #expect(extreme.allSatisfy { $0.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 } })
}

@Test func clusterDescriptionsNameTheDeviatingFeatures() throws {
    let km = try KMeans(KMeansParameters(clusters: 2, dimension: 3))
    let centroids: [[Double]] = [[0.9, 0.5, 0.45], [0.1, 0.5, 0.55]]
    let d = km.describe(centroids: centroids, counts: [300, 100], featureNames: ["recency", "frequency", "monetary"], top: 2)
    // Overall mean of recency: (0.9·300 + 0.1·100)/400 = 0.7.
    #expect(d[0].deviations.map(\.feature) == ["recency", "monetary"])
    #expect(abs(d[0].deviations[0].overallMean - 0.7) < 1e-12)
    #expect(abs(d[1].deviations[0].difference + 0.6) < 1e-12)
    #expect(d[1].summary.hasPrefix("Cluster 1 (≈100 customers): recency -0.60"))
    // Noisy negative counts weigh nothing.
    let n = km.describe(centroids: centroids, counts: [-5, 100], featureNames: ["a", "b", "c"])
    #expect(n[1].deviations[0].difference == 0)
}

@Test func kmeansParametersRoundTripAndValidate() throws {
    let p = KMeansParameters(clusters: 5, dimension: 7, box: FeatureBox(lower: -1, upper: 2))
    let decoded = try JSONDecoder().decode(KMeansParameters.self, from: JSONEncoder().encode(p))
    #expect(decoded == p)
    #expect(p.countWeight == 1 << 16)
    #expect(throws: LearningError.self) { try KMeans(KMeansParameters(clusters: 0, dimension: 2)) }
    #expect(throws: LearningError.self) {
        try KMeans(KMeansParameters(clusters: 2, dimension: 2, box: FeatureBox(lower: 1, upper: 1)))
    }
    #expect(throws: LearningError.self) {
        try KMeans(KMeansParameters(clusters: 2, dimension: 2, box: FeatureBox(lower: 0, upper: 1e9)))
    }
    // Same seed, same public start; different seed, different start.
    let km = try KMeans(p)
    #expect(km.initialCentroids(seed: Seed(4)) == km.initialCentroids(seed: Seed(4)))
    #expect(km.initialCentroids(seed: Seed(4)) != km.initialCentroids(seed: Seed(5)))
    #expect(km.initialCentroids(seed: Seed(4)).allSatisfy { $0.allSatisfy { $0 >= -1 && $0 < 2 } })
}
