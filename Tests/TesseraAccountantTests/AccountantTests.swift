import Foundation
import Testing
import TesseraAccountant

@Suite struct AccountantTests {
    @Test func againstGooglesDPAccounting() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/vectors/dp-accounting.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let cases = json["cases"] as! [[String: Any]]
        #expect(cases.count >= 40)
        #expect(cases.contains { $0["sampling_rate"] != nil })
        var worstTight = Double.infinity, worstLoose = 0.0
        for c in cases {
            let sigma = c["noise_multiplier"] as! Double, rounds = c["rounds"] as! Int, delta = c["delta"] as! Double
            let curve = (c["sampling_rate"] as? Double).map { Mechanisms.subsampledGaussian(samplingRate: $0, noiseMultiplier: sigma) }
                ?? Mechanisms.gaussian(noiseMultiplier: sigma)
            let ours = curve.composed(rounds).epsilon(delta: delta).epsilon
            let pld = c["pld_epsilon"] as! Double, rdp = c["rdp_epsilon"] as! Double
            worstTight = min(worstTight, ours / pld)
            worstLoose = max(worstLoose, ours / rdp)
            #expect(ours >= 0.99 * pld, "σ \(sigma) T \(rounds) δ \(delta): ours \(ours) < PLD \(pld)")
            #expect(ours <= 1.02 * rdp, "σ \(sigma) T \(rounds) δ \(delta): ours \(ours) > RDP \(rdp)")
        }
        print("dp-accounting: worst ours/PLD = \(worstTight), worst ours/RDP = \(worstLoose)")
    }

    @Test func gaussianCompositionMatchesOneGaussianWithScaledNoise() {
        let composed = Mechanisms.gaussian(noiseMultiplier: 4).composed(16).epsilon(delta: 1e-6)
        let single = Mechanisms.gaussian(noiseMultiplier: 1).epsilon(delta: 1e-6)
        #expect(abs(composed.epsilon - single.epsilon) < 1e-9)
    }

    @Test func moreRoundsCostMoreAndMoreNoiseCostsLess() {
        let e1 = Mechanisms.gaussian(noiseMultiplier: 2).composed(10).epsilon(delta: 1e-5).epsilon
        let e2 = Mechanisms.gaussian(noiseMultiplier: 2).composed(20).epsilon(delta: 1e-5).epsilon
        let e3 = Mechanisms.gaussian(noiseMultiplier: 3).composed(20).epsilon(delta: 1e-5).epsilon
        #expect(e1 < e2 && e3 < e2)
    }

    @Test func distributedDiscreteGaussianApproachesTheContinuousOne() {
        // n participants of variance σ²: like a Gaussian of variance nσ² when τ is negligible.
        let ddg = Mechanisms.distributedDiscreteGaussian(participants: 5, variance: 400, sensitivity: 100, dimension: 70)
        let gaussian = Mechanisms.gaussian(noiseMultiplier: (5 * 400.0).squareRoot() / 100)
        #expect(abs(ddg.epsilon(delta: 1e-6).epsilon - gaussian.epsilon(delta: 1e-6).epsilon) < 1e-6)
        // With tiny σ the τ term dominates and ε grows.
        let rough = Mechanisms.distributedDiscreteGaussian(participants: 5, variance: 0.01, sensitivity: 1, dimension: 70)
        #expect(rough.epsilon(delta: 1e-6).epsilon > Mechanisms.gaussian(noiseMultiplier: (0.05).squareRoot()).epsilon(delta: 1e-6).epsilon)
    }

    @Test func skellamIsNoBetterThanGaussianAtTheSameVariance() {
        let sk = Mechanisms.skellam(participants: 10, variance: 1000, sensitivity: 50, dimension: 100).epsilon(delta: 1e-6).epsilon
        let g = Mechanisms.gaussian(noiseMultiplier: (10 * 1000.0).squareRoot() / 50).epsilon(delta: 1e-6).epsilon
        #expect(sk >= g && sk < g * 1.5)
    }

    @Test func fullSamplingIsThePlainGaussianAndCalibrationRoundTrips() {
        let a = Mechanisms.subsampledGaussian(samplingRate: 1, noiseMultiplier: 1.5).epsilon(delta: 1e-5).epsilon
        #expect(a == Mechanisms.gaussian(noiseMultiplier: 1.5).epsilon(delta: 1e-5).epsilon)
        let sigma = Calibration.smallestNoise(target: 1.0) { Mechanisms.gaussian(noiseMultiplier: $0).composed(50).epsilon(delta: 1e-6).epsilon }!
        let achieved = Mechanisms.gaussian(noiseMultiplier: sigma).composed(50).epsilon(delta: 1e-6).epsilon
        #expect(achieved <= 1.0 && achieved > 0.999)
        #expect(Calibration.smallestNoise(target: 0) { Mechanisms.gaussian(noiseMultiplier: $0).epsilon(delta: 1e-6).epsilon } == nil)
    }

    @Test func jobIncrementsSumToTheJobsEpsilon() {
        let job = JobAccounting(curvePerRound: Mechanisms.gaussian(noiseMultiplier: 3), rounds: 7, delta: 1e-6)
        let sum = (1...7).reduce(0.0) { $0 + job.increment(round: $1) }
        #expect(abs(sum - job.totalEpsilon) < 1e-9)
        #expect((1...7).allSatisfy { job.increment(round: $0) > 0 })
    }
}

@Suite struct LaplaceAccountingTests {
    @Test func laplaceReportsTheSmallerOfPureAndRenyi() {
        // One release: pure ε = 1/λ is the better figure.
        #expect(Mechanisms.laplaceEpsilon(scale: 2, rounds: 1, delta: 1e-6) == 0.5)
        // Many releases: the RDP composition beats T/λ.
        let many = Mechanisms.laplaceEpsilon(scale: 10, rounds: 400, delta: 1e-6)
        #expect(many < 40 && many > 5)
        // As α → ∞ the Laplace RDP tends to the pure ε.
        let curve = Mechanisms.laplace(scale: 4)
        #expect(abs(curve.epsilons.last! - 0.25) < 0.01)
        #expect(curve.epsilons.allSatisfy { $0 <= 0.25 + 1e-12 })
    }
}
