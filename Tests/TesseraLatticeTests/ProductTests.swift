import Testing
import TesseraLattice
import TesseraRandom

@Suite struct ProductTests {
    @Test(arguments: [(8, 4), (64, 4), (256, 16_380), (2048, 4), (2048, 16_380)] as [(Int, Int64)])
    func exactProductMatchesSchoolbook(n: Int, bound: Int64) throws {
        var rng = ChaCha20DRBG(seed: Seed(200 + UInt64(n)))
        for trial in 0..<3 {
            let a = (0..<n).map { _ in rng.nextUInt64() }
            // Trial 0: every coefficient at ±bound; otherwise uniform in [−bound, bound].
            let s: [Int64] = (0..<n).map { _ in trial == 0 ? (rng.bit() ? bound : -bound) : rng.integer(-bound, bound) }
            let secret = try SmallSecret(coefficients: s, bound: bound)
            #expect(secret.multiply(a) == schoolbook(a, s), "n = \(n), bound = \(bound), trial \(trial)")
        }
    }

    /// a = all ones and s = ±(the maximum bound) everywhere puts coefficient n − 1 of
    /// a_lo ⊛ s at exactly ±(p − 1)/2, the edge of the signed lift.
    @Test(arguments: [8, 2048])
    func productIsExactAtTheLiftEdge(n: Int) throws {
        let bound = SmallSecret.maximumBound(n: n)
        #expect(Int64(n) * bound == 1 << 31)
        let a = [UInt64](repeating: .max, count: n)
        for sign: Int64 in [1, -1] {
            let s = [Int64](repeating: sign * bound, count: n)
            let secret = try SmallSecret(coefficients: s, bound: bound)
            #expect(secret.multiply(a) == schoolbook(a, s))
        }
        var rng = ChaCha20DRBG(seed: Seed(210))
        let s = (0..<n).map { _ in rng.bit() ? bound : -bound }
        let b = (0..<n).map { _ in rng.nextUInt64() }
        #expect(try SmallSecret(coefficients: s, bound: bound).multiply(b) == schoolbook(b, s))
    }

    @Test func aLargerBoundIsRefusedByName() {
        let n = 2048
        let limit = SmallSecret.maximumBound(n: n)
        #expect(limit == 1 << 20)
        #expect(throws: LatticeError.secretBoundTooLarge(bound: limit + 1, limit: limit, n: n)) {
            try SmallSecret(coefficients: [Int64](repeating: 0, count: n), bound: limit + 1)
        }
        #expect(throws: LatticeError.coefficientOutOfBound(index: 3, value: 5, bound: 4)) {
            try SmallSecret(coefficients: [0, 0, 0, 5], bound: 4)
        }
        let message = LatticeError.secretBoundTooLarge(bound: limit + 1, limit: limit, n: n).description
        #expect(message.contains("1048577") && message.contains("1048576"))
    }
}
