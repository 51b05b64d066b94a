import Foundation
import Testing
import TesseraPrivacy
import TesseraRandom

/// Goodness of fit: χ² over the cells |x| ≤ k (tails pooled), against the exact pmf computed
/// here in floating point (only the test uses floating point).
func chiSquared(_ samples: [Int], pmf: (Int) -> Double, cells k: Int) -> (statistic: Double, critical: Double) {
    var observed = [Int: Int]()
    for x in samples { observed[max(-k - 1, min(k + 1, x)), default: 0] += 1 }
    var expected = [Int: Double]()
    var inner = 0.0
    for x in -k...k { expected[x] = pmf(x); inner += pmf(x) }
    let lowerTail = (-1000 ..< -k).reduce(0.0) { $0 + pmf($1) }
    expected[-k - 1] = lowerTail
    expected[k + 1] = max(0, 1 - inner - lowerTail)
    let n = Double(samples.count)
    var stat = 0.0, cells = 0
    for (x, p) in expected where p * n >= 5 {
        stat += pow(Double(observed[x] ?? 0) - p * n, 2) / (p * n)
        cells += 1
    }
    // Pool the sparse cells into one.
    let sparse = expected.filter { $0.value * n < 5 }
    if !sparse.isEmpty {
        let e = sparse.values.reduce(0, +) * n, o = Double(sparse.keys.reduce(0) { $0 + (observed[$1] ?? 0) })
        if e > 0 { stat += pow(o - e, 2) / e; cells += 1 }
    }
    let df = Double(cells - 1)
    let z = 3.719  // one-sided p = 1e-4 (Wilson–Hilferty)
    let critical = df * pow(1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot(), 3)
    return (stat, critical)
}

func discreteGaussianPMF(sigma2: Double) -> (Int) -> Double {
    let norm = (-2000...2000).reduce(0.0) { $0 + exp(-Double($1 * $1) / (2 * sigma2)) }
    return { exp(-Double($0 * $0) / (2 * sigma2)) / norm }
}

func poissonPMF(_ mu: Double) -> (Int) -> Double {
    { k in k < 0 ? 0 : exp(-mu + Double(k) * log(mu) - lgamma(Double(k) + 1)) }
}

@Suite struct SamplerTests {
    @Test func rationalsParseExactly() {
        #expect(ExactRational("2.5") == ExactRational(5, 2))
        #expect(ExactRational("0.001") == ExactRational(1, 1000))
        #expect(ExactRational("7/3")?.description == "7/3")
        #expect(ExactRational("10000")?.floorSquareRoot == 100)
        #expect(ExactRational(99, 1).floorSquareRoot == 9)
        for bad in ["", "-1", "1e3", "1.", ".5", "a/b", "1/0"] { #expect(ExactRational(bad) == nil, "\(bad)") }
    }

    @Test func fixedSeedsReproduce() {
        var a = ChaCha20DRBG(seed: Seed(1)), b = ChaCha20DRBG(seed: Seed(1)), c = ChaCha20DRBG(seed: Seed(2))
        let m = NoiseMechanism.discreteGaussian(variance: ExactRational(100))
        let x = (0..<50).map { _ in m.sample(using: &a) }
        #expect(x == (0..<50).map { _ in m.sample(using: &b) })
        #expect(x != (0..<50).map { _ in m.sample(using: &c) })
    }

    @Test func bernoulliExpHasTheRightFrequency() {
        var rng = ChaCha20DRBG(seed: Seed(3))
        #expect((0..<1000).allSatisfy { _ in CKS20.bernoulliExp(ExactRational(0), using: &rng) })
        for (num, den) in [(1, 2), (23, 10), (7, 1)] as [(Int128, Int128)] {
            let n = 40_000
            let hits = (0..<n).filter { _ in CKS20.bernoulliExp(ExactRational(num, den), using: &rng) }.count
            let p = exp(-Double(num) / Double(den))
            let se = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(Double(hits) / Double(n) - p) < 5 * se + 1e-9, "γ = \(num)/\(den)")
        }
    }

    @Test(arguments: ["1", "9", "100"])
    func discreteGaussianFitsItsPMF(variance: String) {
        var rng = ChaCha20DRBG(seed: Seed(4))
        let v = ExactRational(variance)!
        let samples = (0..<20_000).map { _ in Int(CKS20.discreteGaussian(sigmaSquared: v, using: &rng)) }
        let k = Int(3 * v.doubleValue.squareRoot()) + 1
        let (stat, critical) = chiSquared(samples, pmf: discreteGaussianPMF(sigma2: v.doubleValue), cells: k)
        #expect(stat < critical, "χ² = \(stat), critical \(critical)")
    }

    @Test func aMisScaledGaussianIsRejectedByTheSameTest() {
        var rng = ChaCha20DRBG(seed: Seed(5))
        let samples = (0..<20_000).map { _ in Int(CKS20.discreteGaussian(sigmaSquared: ExactRational(9), using: &rng)) }
        let (stat, critical) = chiSquared(samples, pmf: discreteGaussianPMF(sigma2: 10.9), cells: 10)
        #expect(stat > critical, "σ = 3 samples should not fit σ = 3.3: χ² = \(stat), critical \(critical)")
    }

    @Test(arguments: [10_000 as Int128, 100_000_000])
    func discreteGaussianMomentsAtLargeScales(variance: Int128) {
        var rng = ChaCha20DRBG(seed: Seed(6))
        let n = 4000
        let xs = (0..<n).map { _ in Double(CKS20.discreteGaussian(sigmaSquared: ExactRational(variance), using: &rng)) }
        let mean = xs.reduce(0, +) / Double(n)
        let varianceEstimate = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let v = Double(variance)
        #expect(abs(mean) < 5 * (v / Double(n)).squareRoot())
        #expect(abs(varianceEstimate - v) < 5 * v * (2 / Double(n)).squareRoot())
    }

    @Test(arguments: [(1, 1), (3, 1), (5, 2)] as [(Int128, Int128)])
    func discreteLaplaceFitsItsPMF(t: Int128, s: Int128) {
        var rng = ChaCha20DRBG(seed: Seed(7))
        let samples = (0..<20_000).map { _ in Int(CKS20.discreteLaplace(s: s, t: t, using: &rng)) }
        let a = Double(s) / Double(t)
        let pmf: (Int) -> Double = { x in (1 - exp(-a)) / (1 + exp(-a)) * exp(-a * Double(abs(x))) }
        let (stat, critical) = chiSquared(samples, pmf: pmf, cells: Int(6 / a) + 1)
        #expect(stat < critical, "χ² = \(stat), critical \(critical)")
    }

    @Test(arguments: ["1", "5/2", "12"])
    func poissonFitsItsPMF(mean: String) {
        var rng = ChaCha20DRBG(seed: Seed(8))
        let mu = ExactRational(mean)!
        let samples = (0..<20_000).map { _ in ExactPoisson.poisson(mean: mu, using: &rng) }
        let (stat, critical) = chiSquared(samples, pmf: poissonPMF(mu.doubleValue), cells: Int(mu.doubleValue * 3) + 6)
        #expect(stat < critical, "χ² = \(stat), critical \(critical)")
    }

    @Test func skellamFitsItsPMFAndMoments() {
        var rng = ChaCha20DRBG(seed: Seed(9))
        // μ = 2 each: P[X − Y = k] = Σ_j P[X = j + k]·P[Y = j].
        let p = poissonPMF(2)
        let samples = (0..<20_000).map { _ in NoiseMechanism.skellam(variance: ExactRational(4)).sample(using: &rng) }.map(Int.init)
        let (stat, critical) = chiSquared(samples, pmf: { k in (0...60).reduce(0.0) { $0 + p($1 + k) * p($1) } }, cells: 7)
        #expect(stat < critical, "χ² = \(stat), critical \(critical)")
        // μ = 50 each: variance 100.
        let xs = (0..<3000).map { _ in Double(NoiseMechanism.skellam(variance: ExactRational(100)).sample(using: &rng)) }
        let mean = xs.reduce(0, +) / 3000, v = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2999
        #expect(abs(mean) < 5 * (100.0 / 3000).squareRoot())
        #expect(abs(v - 100) < 5 * 100 * (2.0 / 3000).squareRoot())
    }

    @Test func boundedSamplesRespectTheBound() {
        var rng = ChaCha20DRBG(seed: Seed(10))
        let xs = NoiseMechanism.discreteGaussian(variance: ExactRational(100)).samples(count: 5000, bound: 15, using: &rng)
        #expect(xs.allSatisfy { abs($0) <= 15 })
        #expect(xs.contains(15) || xs.contains(-15))
    }

    @Test func clippingBoundsTheNormAndKeepsSmallVectors() {
        let v: [Int64] = [300, -400, 0, 1200]  // norm 1300
        let clipped = L2Clipping.clip(v, to: 650)
        #expect(L2Clipping.squaredNorm(clipped) <= 650 * 650)
        #expect(clipped == [150, -200, 0, 600])
        #expect(L2Clipping.clip([3, 4], to: 5) == [3, 4])
        #expect(L2Clipping.clip([1, 1, 1], to: 1).allSatisfy { $0 == 0 })
    }

    @Test func mechanismsParseFromJobSpecs() throws {
        #expect(try NoiseMechanism(name: "discrete-gaussian", parameter: "2.25") == .discreteGaussian(variance: ExactRational(9, 4)))
        #expect(try NoiseMechanism(name: "none", parameter: "") == NoiseMechanism.none)
        #expect(throws: NoiseMechanism.ParseError.self) { try NoiseMechanism(name: "gaussian", parameter: "1") }
        #expect(throws: NoiseMechanism.ParseError.self) { try NoiseMechanism(name: "skellam", parameter: "-1") }
    }
}

@Suite struct RandomizedRoundingTests {
    @Test func roundingIsUnbiasedAndStaysOnNeighbours() throws {
        var rng = ChaCha20DRBG(seed: Seed(11))
        let n = 50_000
        let xs = try (0..<n).map { _ in try RandomizedRounding.round(0.3, scale: 1, using: &rng) }
        #expect(Set(xs).isSubset(of: [0, 1]))
        let mean = Double(xs.reduce(0, +)) / Double(n)
        #expect(abs(mean - 0.3) < 5 * (0.21 / Double(n)).squareRoot())
        let negatives = try (0..<n).map { _ in try RandomizedRounding.round(-2.75, scale: 2, using: &rng) }  // −5.5
        #expect(Set(negatives).isSubset(of: [-6, -5]))
        #expect(abs(Double(negatives.reduce(0, +)) / Double(n) + 5.5) < 5 * (0.25 / Double(n)).squareRoot())
        #expect(try RandomizedRounding.round(4, scale: 10, using: &rng) == 40)
        #expect(throws: RandomizedRounding.Failure.self) { try RandomizedRounding.round(.infinity, scale: 1, using: &rng) }
    }

    @Test func conditionalRoundingRespectsTheNorm() throws {
        var rng = ChaCha20DRBG(seed: Seed(12))
        let xs = [2.5, 2.5, 2.5, 2.5]  // norm 5 before rounding
        for _ in 0..<200 {
            let r = try RandomizedRounding.round(xs, scale: 1, conditionalBound: 5, using: &rng)
            #expect(L2Clipping.squaredNorm(r) <= 25)
        }
    }
}
