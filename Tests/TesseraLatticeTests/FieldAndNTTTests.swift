import Testing
import TesseraLattice
import TesseraRandom

@Suite struct FieldAndNTTTests {
    static let p = Goldilocks.modulus

    @Test func fieldOperationsMatchDivision() {
        var rng = ChaCha20DRBG(seed: Seed(100))
        let edges: [UInt64] = [0, 1, 2, Self.p - 1, Self.p - 2, 0xFFFF_FFFF, 1 << 32, (1 << 32) + 1, Self.p / 2, Self.p / 2 + 1, 1 << 63]
        let randoms = (0..<2000).map { _ in rng.nextUInt64() % Self.p }
        let xs = edges + randoms
        for (i, a) in xs.enumerated() {
            let b = xs[(i * 7 + 3) % xs.count]
            #expect(Goldilocks.multiply(a, b) == referenceMultiply(a, b), "\(a)·\(b)")
            let sum = a.addingReportingOverflow(b)
            let expectedSum = sum.overflow ? Self.p.dividingFullWidth((1, sum.partialValue)).remainder : sum.partialValue % Self.p
            #expect(Goldilocks.add(a, b) == expectedSum, "\(a)+\(b)")
            #expect(Goldilocks.add(Goldilocks.subtract(a, b), b) == a, "\(a)−\(b)")
            #expect(Goldilocks.add(a, Goldilocks.negate(a)) == 0)
        }
        // Full 128-bit inputs to the reduction, including hi ≥ p.
        for _ in 0..<2000 {
            let hi = rng.nextUInt64(), lo = rng.nextUInt64()
            let expected = Self.p.dividingFullWidth((hi % Self.p, lo)).remainder
            #expect(Goldilocks.reduce(high: hi, low: lo) == expected)
        }
        for (hi, lo) in [(UInt64.max, UInt64.max), (UInt64.max, 0), (0, UInt64.max), (Self.p, 0), (Self.p - 1, Self.p - 1)] {
            #expect(Goldilocks.reduce(high: hi, low: lo) == Self.p.dividingFullWidth((hi % Self.p, lo)).remainder)
        }
        #expect(Goldilocks.multiply(Goldilocks.inverse(12345), 12345) == 1)
    }

    @Test func sevenGeneratesTheGroupAndPsiHasOrder4096() {
        // p − 1 = 2^32 · 3 · 5 · 17 · 257 · 65537.
        let factors: [UInt64] = [2, 3, 5, 17, 257, 65537]
        #expect((UInt64(1) << 32) * 3 * 5 * 17 * 257 * 65537 == Self.p - 1)
        for q in factors {
            #expect(Goldilocks.power(Goldilocks.generator, (Self.p - 1) / q) != 1, "7 has order dividing (p−1)/\(q)")
        }
        let psi = NegacyclicNTT.n2048.psi
        #expect(psi == Goldilocks.power(7, (Self.p - 1) / 4096))
        // Order exactly 4096: ψ^2048 = −1 (so ψ^4096 = 1 and no smaller power of two works).
        #expect(Goldilocks.power(psi, 2048) == Self.p - 1)
        #expect(Goldilocks.power(psi, 4096) == 1)
        #expect(NegacyclicNTT.n2048.nInverse == Goldilocks.inverse(2048))
    }

    @Test(arguments: [2, 8, 16, 64])
    func forwardSlotsAreEvaluationsAtOddPowersOfPsi(n: Int) {
        var rng = ChaCha20DRBG(seed: Seed(101))
        let ntt = NegacyclicNTT(n: n)
        let a = (0..<n).map { _ in rng.nextUInt64() % Self.p }
        var t = a
        ntt.forward(&t)
        let logN = n.trailingZeroBitCount
        for k in 0..<n {
            var r = 0
            for b in 0..<logN where k & (1 << b) != 0 { r |= 1 << (logN - 1 - b) }
            let x = Goldilocks.power(ntt.psi, UInt64(2 * r + 1))
            var value: UInt64 = 0
            for i in stride(from: n - 1, through: 0, by: -1) { value = Goldilocks.add(Goldilocks.multiply(value, x), a[i]) }
            #expect(t[k] == value, "slot \(k)")
        }
        ntt.inverse(&t)
        #expect(t == a)
    }

    @Test(arguments: [4, 32, 256, 2048])
    func pointwiseProductIsTheNegacyclicProductModP(n: Int) {
        var rng = ChaCha20DRBG(seed: Seed(102))
        let ntt = NegacyclicNTT.forSize(n)
        let a = (0..<n).map { _ in rng.nextUInt64() % Self.p }
        let b = (0..<n).map { _ in rng.nextUInt64() % Self.p }
        var ta = a, tb = b
        ntt.forward(&ta)
        ntt.forward(&tb)
        var c = (0..<n).map { Goldilocks.multiply(ta[$0], tb[$0]) }
        ntt.inverse(&c)
        if n <= 256 {
            #expect(c == schoolbookModP(a, b))
        } else {
            // X·a: a rotation with a sign flip, checked without the quadratic reference.
            var x = [UInt64](repeating: 0, count: n); x[1] = 1
            var tx = x
            ntt.forward(&tx)
            var shifted = (0..<n).map { Goldilocks.multiply(ta[$0], tx[$0]) }
            ntt.inverse(&shifted)
            #expect(shifted == [Goldilocks.negate(a[n - 1])] + a[0..<(n - 1)])
        }
    }
}
