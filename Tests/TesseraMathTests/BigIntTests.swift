import Testing
import TesseraMath
import TesseraRandom

@Suite struct BigIntTests {
    @Test func hexRoundTripsAndIsLowercase() throws {
        for text in ["0", "1", "ff", "deadbeefcafebabe0123456789", "-abc", "1" + String(repeating: "0", count: 600)] {
            let x = try #require(BigInt(hex: text))
            #expect(x.hex == text)
        }
        #expect(BigInt(hex: "DEADBEEF")?.hex == "deadbeef")
    }

    @Test func invalidTextIsRejected() {
        for bad in ["", "-", "0x10", "12g", " 12", "1 2"] { #expect(BigInt(hex: bad) == nil, "\(bad)") }
        #expect(BigInt(decimal: "12a") == nil)
        #expect(BigInt(decimal: "-340282366920938463463374607431768211456")?.hex == "-100000000000000000000000000000000")
    }

    @Test func bigEndianBytesRoundTripWithPadding() {
        let x = BigInt(hex: "0102030405")!
        #expect(x.bigEndianBytes() == [1, 2, 3, 4, 5])
        #expect(x.bigEndianBytes(length: 8) == [0, 0, 0, 1, 2, 3, 4, 5])
        #expect(BigInt(bigEndian: [0, 0, 1, 2, 3, 4, 5]) == x)
        #expect(BigInt(0).bigEndianBytes() == [])
        #expect(BigInt(bigEndian: [UInt8]()) == 0)
    }

    @Test func knownAnswers() {
        // 2^128 − 1 = 340282366920938463463374607431768211455
        let x = (BigInt(1) << 128) - 1
        #expect(x.decimal == "340282366920938463463374607431768211455")
        #expect(x.bitWidth == 128)
        // 3^(−1) mod 7 = 5; 10^(−1) mod 4 does not exist
        #expect(BigInt(3).inverse(modulus: 7) == 5)
        #expect(BigInt(10).inverse(modulus: 4) == nil)
        #expect(BigInt(4).power(13, modulus: 497) == 445)  // Wikipedia's modular exponentiation example
        #expect(BigInt.gcd(462, 1071) == 21)
        #expect(BigInt.factorial(10) == 3_628_800)
        let (q, r) = BigInt(-7).quotientAndRemainder(dividingBy: 2)
        #expect(q == -4 && r == 1)  // floor division
        #expect(BigInt(-7).modulo(BigInt(3)) == 2)
        #expect((BigInt(-8) >> 2) == -2)
    }

    @Test func secretAndPublicExponentiationAgree() {
        var rng = ChaCha20DRBG(seed: Seed(1))
        for bits in [64, 512, 2048] {
            var m = BigInt.random(bits: bits, using: &rng)
            if !m.isOdd { m = m + 1 }
            let b = BigInt.random(below: m, using: &rng)
            let e = BigInt.random(bits: bits, using: &rng)
            #expect(b.powerSecret(e, modulus: m) == b.power(e, modulus: m))
        }
        #expect(BigInt(5).powerSecret(0, modulus: 7) == 1)
    }

    @Test func valueSemanticsSurviveInPlaceMutation() {
        let a = BigInt(12345)
        var b = a
        b.formProduct(BigInt(2), modulus: BigInt(1_000_000))
        b += BigInt(1)
        #expect(a == 12345)
        #expect(b == 24691)
    }

    @Test func randomBelowStaysInRangeAndCoversIt() {
        var rng = ChaCha20DRBG(seed: Seed(2))
        let bound = BigInt(10)
        var seen = Set<Int>()
        for _ in 0..<500 {
            let x = BigInt.random(below: bound, using: &rng)
            #expect(x >= 0 && x < bound)
            seen.insert(x.intValue!)
        }
        #expect(seen.count == 10)
        let u = BigInt.randomUnit(modulus: 15, using: &rng)
        #expect(BigInt.gcd(u, 15) == 1)
    }

    @Test func codableUsesHex() throws {
        let x = BigInt(hex: "abcdef0123")!
        let data = try JSONEncoder().encode([x])
        #expect(String(decoding: data, as: UTF8.self) == "[\"abcdef0123\"]")
        #expect(try JSONDecoder().decode([BigInt].self, from: data) == [x])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([BigInt].self, from: Data("[\"xyz\"]".utf8)) }
    }
}

import Foundation
