import Testing
@testable import TesseraMath
import TesseraRandom

@Suite struct FixedBaseTableTests {
    @Test(arguments: [(1, FixedBaseTable.Lookup.direct), (4, .direct), (5, .constantTime), (8, .direct), (8, .constantTime)])
    func agreesWithPlainExponentiation(window: Int, lookup: FixedBaseTable.Lookup) {
        var rng = ChaCha20DRBG(seed: Seed(UInt64(window)))
        var modulus = BigInt.random(bits: 1024, using: &rng)
        if !modulus.isOdd { modulus = modulus + 1 }
        let base = BigInt.random(below: modulus, using: &rng)
        let bits = 700
        let table = FixedBaseTable(base: base, modulus: modulus, exponentBits: bits, windowBits: window, lookup: lookup)
        var exponents: [BigInt] = [0, 1, 2, (BigInt(1) << bits) - 1, BigInt(1) << (bits - 1)]
        for _ in 0..<10 { exponents.append(BigInt.random(bits: bits, using: &rng)) }
        for x in exponents { #expect(table.power(x) == base.power(x, modulus: modulus), "x = \(x)") }
    }

    @Test func digitsAreLeastSignificantFirst() {
        let x = BigInt(hex: "abc")!
        #expect(FixedBaseTable.digits(of: x, windowBits: 4, count: 4) == [0xc, 0xb, 0xa, 0])
    }
}

