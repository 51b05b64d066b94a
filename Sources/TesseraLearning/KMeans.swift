import TesseraRandom

/// The public parameters of a federated k-means job, as carried by the job file.
public struct KMeansParameters: Codable, Sendable, Hashable {
    /// Number of clusters k.
    public var clusters: Int
    /// Feature dimension d.
    public var dimension: Int
    /// Per-coordinate clipping box; B = `box.bound`.
    public var box: FeatureBox
    public var fixedPoint: FixedPoint
    /// Each customer adds this integer to its cluster's count slot, so that count and
    /// coordinate sums see comparable relative noise (default: the scale, i.e. a count is
    /// encoded like a coordinate equal to 1).
    public var countWeight: Int64
    /// A cluster whose noisy count (in customers) is below this keeps its previous centroid;
    /// at least 1, so the division in `decode` is never by less than one customer.
    public var minimumClusterCount: Double

    public init(clusters: Int, dimension: Int, box: FeatureBox = FeatureBox(),
                fixedPoint: FixedPoint = FixedPoint(), countWeight: Int64? = nil,
                minimumClusterCount: Double = 1) {
        self.clusters = clusters
        self.dimension = dimension
        self.box = box
        self.fixedPoint = fixedPoint
        self.countWeight = countWeight ?? fixedPoint.scale
        self.minimumClusterCount = minimumClusterCount
    }
}

/// Federated Lloyd iterations (Lloyd 1982) in the DP form of Su, Wang, Xu et al. 2016
/// ("Differentially private k-means clustering", CODASPY, §4, DPLloyd): each round releases,
/// per centroid, a noisy sum of the assigned points and a noisy count, and the next centroid
/// is sum / count. Here each brand computes the exact per-centroid sums on its customers,
/// the coordinator adds the brands' vectors homomorphically with distributed noise, and
/// `decode` is the server step.
///
/// Vector layout: for cluster c = 0..<k, d fixed-point coordinate sums then count·w.
/// One customer contributes to one cluster block only: its clipped, encoded row and w.
public struct KMeans: Sendable {
    public let parameters: KMeansParameters
    /// round(B · s): the largest |encoded coordinate| of a clipped row.
    public let maxEncodedCoordinate: Int64
    /// Exact bound on ‖v‖₂² for one customer's contribution v: d·round(B·s)² + w², attained
    /// by a row at a corner of the box. This is the add/remove-one sensitivity; for
    /// replace-one, ‖v − v′‖₂² is at most 4× this (triangle inequality).
    public let perCustomerL2Squared: Int64

    public init(_ parameters: KMeansParameters) throws {
        let p = parameters
        guard p.clusters >= 1, p.dimension >= 1 else { throw LearningError("k and d must be positive") }
        try p.box.validate()
        try p.fixedPoint.validate()
        guard p.countWeight >= 1 else { throw LearningError("count weight must be positive") }
        guard p.minimumClusterCount.isFinite, p.minimumClusterCount >= 1 else {
            throw LearningError("minimum cluster count must be at least 1")
        }
        guard p.box.bound * Double(p.fixedPoint.scale) < 0x1p31 else {
            throw LearningError("box bound × scale must be below 2^31")
        }
        let r = max(abs(p.fixedPoint.encode(p.box.lower)), abs(p.fixedPoint.encode(p.box.upper)))
        guard let rows = checkedMultiply(Int64(p.dimension), r * r),
              let w2 = checkedMultiply(p.countWeight, p.countWeight),
              let total = checkedAdd(rows, w2), total <= maximumSquaredBound else {
            throw LearningError("per-customer bound overflows 2^62")
        }
        self.parameters = p
        self.maxEncodedCoordinate = r
        self.perCustomerL2Squared = total
    }

    public var vectorLength: Int { parameters.clusters * (parameters.dimension + 1) }

    /// Largest |value| one customer puts in any slot, for the slot-width planner.
    public var perCustomerMaxAbs: Int64 { max(maxEncodedCoordinate, parameters.countWeight) }

    /// The initial centroids: k points drawn uniformly in the public box from
    /// ChaCha20DRBG(seed.derive("tessera/kmeans/init")). Data-independent on purpose: a
    /// data-dependent start (e.g. k-means++, which picks actual customer rows) would publish
    /// customer records or need its own privacy budget, whereas a public seed costs nothing
    /// and lets every brand and auditor recompute the start.
    public func initialCentroids(seed: Seed) -> [[Double]] {
        var rng = ChaCha20DRBG(seed: seed.derive("tessera/kmeans/init"))
        let box = parameters.box
        return (0..<parameters.clusters).map { _ in
            (0..<parameters.dimension).map { _ in box.lower + (box.upper - box.lower) * rng.unitDouble() }
        }
    }

    /// Index of the nearest centroid to the (already clipped) row; ties go to the lowest index.
    public func nearest(_ row: [Double], centroids: [[Double]]) -> Int {
        var best = 0
        var bestDistance = Double.infinity
        for (c, centroid) in centroids.enumerated() {
            let dist = squaredDistance(row, centroid)
            if dist < bestDistance { best = c; bestDistance = dist }
        }
        return best
    }

    /// One brand's local update: per centroid, Σ round(s·clip(x)) over the rows assigned to it
    /// and w × their number. Sums of these vectors over brands equal the update on the union.
    public func localUpdate(rows: [[Double]], centroids: [[Double]]) -> [Int64] {
        checkCentroids(centroids)
        let d = parameters.dimension
        var out = [Int64](repeating: 0, count: vectorLength)
        for row in rows {
            precondition(row.count == d, "row dimension \(row.count) ≠ \(d)")
            let x = parameters.box.clip(row)
            let base = nearest(x, centroids: centroids) * (d + 1)
            for j in 0..<d { out[base + j] += parameters.fixedPoint.encode(x[j]) }
            out[base + d] += parameters.countWeight
        }
        return out
    }

    /// The noisy number of customers per cluster, Σ count slot / w (may be negative or
    /// fractional under noise).
    public func noisyCounts(sums: [Int64]) -> [Double] {
        precondition(sums.count == vectorLength, "sum vector length")
        let d = parameters.dimension
        return (0..<parameters.clusters).map {
            Double(sums[$0 * (d + 1) + d]) / Double(parameters.countWeight)
        }
    }

    /// The server step of DPLloyd (Su et al. 2016): centroid = noisy sum / (s · noisy count).
    /// A cluster whose count is below `minimumClusterCount` (empty, negative under noise)
    /// keeps its previous centroid; the count is clamped to ≥ 1 and the new centroid is
    /// clipped into the box, so no noise draw can send it outside the domain.
    public func decode(sums: [Int64], previous: [[Double]]) -> [[Double]] {
        checkCentroids(previous)
        let d = parameters.dimension
        let counts = noisyCounts(sums: sums)
        let s = Double(parameters.fixedPoint.scale)
        return (0..<parameters.clusters).map { c in
            guard counts[c] >= parameters.minimumClusterCount else { return previous[c] }
            let count = max(counts[c], 1)
            return (0..<d).map { j in parameters.box.clip(Double(sums[c * (d + 1) + j]) / (s * count)) }
        }
    }

    /// The k-means objective on the clipped rows: Σ_x min_c ‖clip(x) − c‖².
    public func cost(rows: [[Double]], centroids: [[Double]]) -> Double {
        checkCentroids(centroids)
        return rows.reduce(0) { total, row in
            let x = parameters.box.clip(row)
            return total + squaredDistance(x, centroids[nearest(x, centroids: centroids)])
        }
    }

    func checkCentroids(_ centroids: [[Double]]) {
        precondition(centroids.count == parameters.clusters
                     && centroids.allSatisfy { $0.count == parameters.dimension }, "centroids shape")
    }
}

func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for j in a.indices { let t = a[j] - b[j]; s += t * t }
    return s
}
