import TesseraRandom

/// Centralized, noiseless references for a federated k-means run: what a single party holding
/// the union of the brands' rows would obtain. Rows are clipped to the job's box first so that
/// both sides optimise the same objective.
extension KMeans {
    /// Lloyd's algorithm (Lloyd 1982, "Least squares quantization in PCM", §III Method I):
    /// alternate nearest-centroid assignment and centroid = mean of its points, until the
    /// assignment no longer changes or `maxIterations`. Empty clusters keep their centroid,
    /// as in `decode`.
    public func baselineLloyd(rows: [[Double]], initial: [[Double]], maxIterations: Int = 100) -> [[Double]] {
        checkCentroids(initial)
        let x = rows.map(parameters.box.clip)
        return lloyd(x, initial, maxIterations)
    }

    /// Best (lowest cost) of `restarts` runs of k-means++ seeding (Arthur & Vassilvitskii 2007,
    /// "k-means++: the advantages of careful seeding", §2.2: first centre uniform, each next
    /// centre drawn with probability ∝ D(x)², the squared distance to the nearest centre so
    /// far) followed by Lloyd. Seeded by ChaCha20DRBG(seed.derive("tessera/kmeans/baseline")).
    public func baselineKMeansPlusPlus(rows: [[Double]], restarts: Int = 10, seed: Seed,
                                       maxIterations: Int = 100) -> [[Double]] {
        precondition(!rows.isEmpty && restarts >= 1, "k-means++ needs rows and a restart")
        let x = rows.map(parameters.box.clip)
        var rng = ChaCha20DRBG(seed: seed.derive("tessera/kmeans/baseline"))
        var best: [[Double]] = []
        var bestCost = Double.infinity
        for _ in 0..<restarts {
            let centroids = lloyd(x, plusPlusSeeding(x, &rng), maxIterations)
            let c = cost(rows: x, centroids: centroids)
            if c < bestCost { best = centroids; bestCost = c }
        }
        return best
    }

    /// (cost − baseline) / baseline: how much worse the federated solution is, relatively.
    public static func relativeCostGap(cost: Double, baseline: Double) -> Double {
        baseline > 0 ? (cost - baseline) / baseline : (cost > 0 ? .infinity : 0)
    }

    private func lloyd(_ x: [[Double]], _ initial: [[Double]], _ maxIterations: Int) -> [[Double]] {
        let k = parameters.clusters, d = parameters.dimension
        var centroids = initial
        var assignment = [Int](repeating: -1, count: x.count)
        for _ in 0..<maxIterations {
            var changed = false
            var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
            var counts = [Int](repeating: 0, count: k)
            for (i, row) in x.enumerated() {
                let c = nearest(row, centroids: centroids)
                if c != assignment[i] { assignment[i] = c; changed = true }
                counts[c] += 1
                for j in 0..<d { sums[c][j] += row[j] }
            }
            if !changed { break }
            for c in 0..<k where counts[c] > 0 {
                centroids[c] = sums[c].map { $0 / Double(counts[c]) }
            }
        }
        return centroids
    }

    private func plusPlusSeeding(_ x: [[Double]], _ rng: inout ChaCha20DRBG) -> [[Double]] {
        var centres = [x[Int(rng.uniform(below: UInt64(x.count)))]]
        var d2 = x.map { squaredDistance($0, centres[0]) }
        while centres.count < parameters.clusters {
            let total = d2.reduce(0, +)
            var chosen = Int(rng.uniform(below: UInt64(x.count)))  // all points coincide: uniform
            if total > 0 {
                var target = rng.unitDouble() * total
                for (i, w) in d2.enumerated() {
                    target -= w
                    if target < 0 { chosen = i; break }
                }
                if target >= 0 { chosen = d2.lastIndex { $0 > 0 }! }  // rounding at the very end
            }
            centres.append(x[chosen])
            for i in x.indices { d2[i] = min(d2[i], squaredDistance(x[i], x[chosen])) }
        }
        return centres
    }
}
