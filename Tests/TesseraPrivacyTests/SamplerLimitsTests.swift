import Testing
import TesseraPrivacy
import TesseraRandom

/// `NoiseMechanism(mechanism:sigma:)`: what `tessera privacy sample` accepts and refuses.
struct SamplerLimitsTests {
    @Test func squaresSigmaExactly() throws {
        #expect(try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "2.5") == .discreteGaussian(variance: ExactRational(25, 4)))
        #expect(try NoiseMechanism(mechanism: "skellam", sigma: "7/3") == .skellam(variance: ExactRational(49, 9)))
        #expect(try NoiseMechanism(mechanism: "discrete-laplace", sigma: "3") == .discreteLaplace(scale: ExactRational(3)))
    }

    @Test func refusesHugeSigmaByNameInsteadOfTrapping() {
        // 10^15: σ² = 10^30 fits in Int128 but exceeds the sampler's 2^48 limit.
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "1000000000000000") }
        // 10^30 squared does not fit in Int128 at all (the old command trapped here).
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "1000000000000000000000000000000/1") }
        // 40 integer digits would overflow inside the decimal parser.
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "skellam", sigma: "1234567890123456789012345678901234567890.5") }
        // 18 decimals: σ² has the denominator 10^36, far above 2^48.
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "1.000000000000000001") }
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "discrete-laplace", sigma: "281474976710657") }
    }

    /// Job specs name a variance, not σ: the same limits apply there (the coordinator and
    /// every participant build the mechanism through `NoiseMechanism(name:parameter:)`).
    @Test func jobSpecVariancesOutsideTheRangeAreRefused() throws {
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(name: "discrete-gaussian", parameter: "281474976710657") }
        // 22 integer digits and 18 decimals: the scaled numerator overflows 128 bits inside the
        // parser, which must refuse it rather than trap (this arrives in job specs off the wire).
        #expect(ExactRational("1000000000000000000000.000000000000000001") == nil)
        do {
            _ = try NoiseMechanism(name: "discrete-gaussian", parameter: "1000000000000000000000.000000000000000001")
            Issue.record("an overflowing variance was accepted")
        } catch {
            #expect("\(error)".contains("is not a non-negative decimal"), "\(error)")
        }
        #expect(ExactRational("1000000000000000000.000000000000000001") != nil)  // 19 digits still parse exactly
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(name: "discrete-gaussian", parameter: "1/281474976710657") }
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(name: "skellam", parameter: "2097153") }
        #expect(try NoiseMechanism(name: "discrete-gaussian", parameter: "281474976710656") == .discreteGaussian(variance: ExactRational(1 << 48)))
        #expect(try NoiseMechanism(name: "skellam", parameter: "2097152") == .skellam(variance: ExactRational(1 << 21)))
    }

    @Test func limitsAreExactAtTheBoundary() throws {
        // σ = 2^24 gives σ² = 2^48, the largest part allowed; one more is refused.
        _ = try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "16777216")
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "16777217") }
        // Skellam: σ² ≤ 2^21, i.e. σ ≤ 1448 (1448² = 2096704 ≤ 2097152 < 1449²).
        _ = try NoiseMechanism(mechanism: "skellam", sigma: "1448")
        #expect(throws: NoiseParameterError.self) { try NoiseMechanism(mechanism: "skellam", sigma: "1449") }
        _ = try NoiseMechanism(mechanism: "discrete-laplace", sigma: "281474976710656")
    }

    @Test func samplesAtTheLimitsWithoutOverflow() throws {
        var rng = ChaCha20DRBG(seed: Seed(11))
        let gaussian = try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "16777216")
        let tiny = try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "1/16777216")
        let laplace = try NoiseMechanism(mechanism: "discrete-laplace", sigma: "281474976710656")
        let draws = (0..<200).map { _ in gaussian.sample(using: &rng) }
        // |z| ≤ 8σ except with probability ~1e-15 per draw; and the draws are not all equal.
        #expect(draws.allSatisfy { $0.magnitude <= 8 << 24 })
        #expect(Set(draws).count > 100)
        // σ = 2^−24: any non-zero draw has probability about e^(−2^47).
        #expect((0..<200).allSatisfy { _ in tiny.sample(using: &rng) == 0 })
        #expect((0..<50).map { _ in laplace.sample(using: &rng) }.contains { $0 != 0 })
    }

    @Test func refusesMalformedInput() {
        #expect(throws: NoiseParameterError.notARational("abc")) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "abc") }
        #expect(throws: NoiseParameterError.notPositive) { try NoiseMechanism(mechanism: "discrete-gaussian", sigma: "0") }
        #expect(throws: NoiseParameterError.unknownMechanism("gaussian")) { try NoiseMechanism(mechanism: "gaussian", sigma: "1") }
    }
}
