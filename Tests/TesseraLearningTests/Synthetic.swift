import Foundation
import TesseraRandom
@testable import TesseraLearning

/// Test-only generator of synthetic customers, seeded so every run sees the same data.
struct Synthetic {
    var rng: ChaCha20DRBG

    init(seed: UInt64) { rng = ChaCha20DRBG(seed: Seed(seed)) }

    mutating func uniform() -> Double { rng.unitDouble() }

    /// Standard normal by Box–Muller (Box & Muller 1958); 1 − u keeps the log argument > 0.
    mutating func normal() -> Double {
        let u = 1 - rng.unitDouble(), v = rng.unitDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// `perCluster` points around each centre with isotropic standard deviation `sigma`.
    mutating func gaussianClusters(centres: [[Double]], perCluster: Int, sigma: Double) -> [[Double]] {
        var rows: [[Double]] = []
        for _ in 0..<perCluster {
            for c in centres { rows.append(c.map { $0 + sigma * normal() }) }
        }
        return rows
    }

    /// x uniform in [0,1]^d, y ~ Bernoulli(σ(w·x + b)).
    mutating func logistic(count: Int, weights: [Double], bias: Double) -> (rows: [[Double]], labels: [Bool]) {
        var rows: [[Double]] = [], labels: [Bool] = []
        for _ in 0..<count {
            let x = weights.map { _ in uniform() }
            let p = sigmoid(zip(weights, x).reduce(bias) { $0 + $1.0 * $1.1 })
            rows.append(x)
            labels.append(uniform() < p)
        }
        return (rows, labels)
    }

    /// Adds rounded N(0, σ²) noise to every slot: a stand-in for the distributed discrete
    /// Gaussian the protocol adds, good enough to exercise the decoders.
    mutating func noisy(_ v: [Int64], sigma: Double) -> [Int64] {
        v.map { $0 + Int64((sigma * normal()).rounded()) }
    }
}

/// Splits rows round-robin into `count` brands.
func brands<T>(_ items: [T], count: Int) -> [[T]] {
    (0..<count).map { b in stride(from: b, to: items.count, by: count).map { items[$0] } }
}

func sum(_ vectors: [[Int64]]) -> [Int64] {
    vectors.dropFirst().reduce(vectors[0]) { zip($0, $1).map { $0 + $1 } }
}
