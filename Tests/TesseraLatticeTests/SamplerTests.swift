import Testing
import TesseraLattice
import TesseraRandom

/// χ² in exact integers (thousandths, each cell's term rounded down: at most one thousandth
/// per cell below the true statistic). Critical values are the p = 10⁻⁴ quantiles
/// (scipy.stats.chi2.ppf(1 − 1e-4, df), rounded down to thousandths): no floating point.
func chiSquaredMilli(observed: [Int], expected: [Int]) -> Int {
    zip(observed, expected).reduce(0) { acc, pair in
        let d = pair.0 - pair.1
        return acc + d * d * 1000 / pair.1
    }
}
let chiSquaredCriticalMilliDF8 = 31_827
let chiSquaredCriticalMilliDF63 = 113_504

/// N = 25,600 draws: the expected count of k is 100·C(8, k + 4) exactly.
func binomialFit(_ samples: [Int8]) -> Int {
    var observed = [Int](repeating: 0, count: 9)
    for x in samples { observed[Int(x) + 4] += 1 }
    let expected = [1, 8, 28, 56, 70, 56, 28, 8, 1].map { 100 * $0 }
    return chiSquaredMilli(observed: observed, expected: expected)
}

/// N = 32,000 draws, 64 cells of 2^14 consecutive values (E = 500 each), and separately 64
/// cells by the low 6 bits.
func uniformFit(_ samples: [Int32]) -> (high: Int, low: Int) {
    var high = [Int](repeating: 0, count: 64), low = [Int](repeating: 0, count: 64)
    for e in samples {
        let u = Int(e) + (1 << 19)
        high[u >> 14] += 1
        low[u & 63] += 1
    }
    let expected = [Int](repeating: 500, count: 64)
    return (chiSquaredMilli(observed: high, expected: expected), chiSquaredMilli(observed: low, expected: expected))
}

@Suite struct SamplerTests {
    @Test func encodingsMapBytesAsDocumented() {
        let lo: Int32 = -524_288, hi: Int32 = 524_287  // −2^19, 2^19 − 1
        #expect(CenteredBinomial.coefficient(fromByte: 0x0F) == 4)
        #expect(CenteredBinomial.coefficient(fromByte: 0xF0) == -4)
        #expect(CenteredBinomial.coefficient(fromByte: 0xFF) == 0)
        #expect(CenteredBinomial.coefficient(fromByte: 0x17) == 2)  // 3 low bits set, 1 high
        #expect(UniformErrors.error(fromWord: 0) == lo)
        #expect(UniformErrors.error(fromWord: 0xF_FFFF) == hi)
        #expect(UniformErrors.error(fromWord: 0xFFF0_0000) == lo)  // only the low 20 bits count
        #expect(UniformErrors.error(fromWord: 0x8_0000) == 0)
        var zeros = ConstantSource(byte: 0), ones = ConstantSource(byte: 0xFF)
        #expect(UniformErrors.sample(count: 3, using: &zeros) == [lo, lo, lo])
        #expect(UniformErrors.sample(count: 2, using: &ones) == [hi, hi])
        // Little-endian: bytes 01 00 08 00 → w = 0x00080001 → 1.
        struct Bytes: RandomSource {
            var bytes: [UInt8]
            mutating func fill(_ b: UnsafeMutableRawBufferPointer) { for i in 0..<b.count { b[i] = bytes.removeFirst() } }
        }
        var le = Bytes(bytes: [0x01, 0x00, 0x08, 0x00])
        #expect(UniformErrors.sample(count: 1, using: &le) == [1])
    }

    @Test func fixedSeedsReproduce() {
        var a = ChaCha20DRBG(seed: Seed(300)), b = ChaCha20DRBG(seed: Seed(300)), c = ChaCha20DRBG(seed: Seed(301))
        let x = CenteredBinomial.sample(count: 64, using: &a) + UniformErrors.sample(count: 64, using: &a).map { Int8(truncatingIfNeeded: $0) }
        #expect(x == CenteredBinomial.sample(count: 64, using: &b) + UniformErrors.sample(count: 64, using: &b).map { Int8(truncatingIfNeeded: $0) })
        #expect(x != CenteredBinomial.sample(count: 64, using: &c) + UniformErrors.sample(count: 64, using: &c).map { Int8(truncatingIfNeeded: $0) })
    }

    @Test func centredBinomialFitsB4() {
        var rng = ChaCha20DRBG(seed: Seed(302))
        let samples = CenteredBinomial.sample(count: 25_600, using: &rng)
        #expect(samples.allSatisfy { (-4...4).contains($0) })
        let stat = binomialFit(samples)
        #expect(stat < chiSquaredCriticalMilliDF8, "χ² = \(stat)/1000")
    }

    /// A sampler with the wrong η (B_5, clipped to [−4, 4]: variance ≈ 2.45 instead of 2).
    @Test func aMisScaledBinomialIsRejectedByTheSameTest() {
        var rng = ChaCha20DRBG(seed: Seed(303))
        let raw = rng.bytes(2 * 25_600)
        let samples: [Int8] = (0..<25_600).map { i in
            let bits = UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8
            let v = (bits & 0x1F).nonzeroBitCount - ((bits >> 5) & 0x1F).nonzeroBitCount
            return Int8(max(-4, min(4, v)))
        }
        let stat = binomialFit(samples)
        #expect(stat > chiSquaredCriticalMilliDF8, "B_5 samples should not fit B_4: χ² = \(stat)/1000")
    }

    @Test func uniformErrorsFitTheirRange() {
        var rng = ChaCha20DRBG(seed: Seed(304))
        let samples = UniformErrors.sample(count: 32_000, using: &rng)
        #expect(samples.allSatisfy { $0 >= -(1 << 19) && $0 < 1 << 19 })
        let (high, low) = uniformFit(samples)
        #expect(high < chiSquaredCriticalMilliDF63, "χ² by range = \(high)/1000")
        #expect(low < chiSquaredCriticalMilliDF63, "χ² by low bits = \(low)/1000")
    }

    /// Errors on a range 1/32 too narrow on each side ([−2^19 + 2^14, 2^19 − 2^14)).
    @Test func aMisScaledUniformIsRejectedByTheSameTest() {
        var rng = ChaCha20DRBG(seed: Seed(305))
        let width = UInt64((1 << 20) - (1 << 15))
        let offset: Int32 = (1 << 19) - (1 << 14)
        let samples: [Int32] = (0..<32_000).map { _ in Int32(rng.uniform(below: width)) - offset }
        let (high, _) = uniformFit(samples)
        #expect(high > chiSquaredCriticalMilliDF63, "narrowed errors should not fit: χ² = \(high)/1000")
    }
}
