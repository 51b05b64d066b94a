import Testing
import TesseraGroup
import TesseraRandom

@Suite struct ScalarTests {
    // Expected values computed independently with Python integers (mod ℓ = 2^252 + 27742317777372353535851937790883648493).
    let a = "787d9b015db9fc4b11cfe9b8e80c18b335ada1f9a353c9cf57f26eb038089306"
    let b = "0d20ede003d7b8ce65b11c5cf86790958022eee1f67ea963ad3a983c9268820c"

    @Test func arithmeticMatchesIntegersModL() throws {
        let x = try scalar(a), y = try scalar(b)
        #expect(hex((x + y).bytes) == "98c99285462da3c2a0e30e72027bc933b6cf8fdb9ad27233052d07edca701503")
        #expect(hex((x - y).bytes) == "5831a47d734556d581bac4ffce9e6632b58ab317add41f6caab7d673a69f100a")
        #expect(hex((x * y).bytes) == "e7d46e4e895c10366a2ce08309332b0b0c16e5dd0bea1b1055111b9f141dea05")
        #expect(hex(try x.inverse().bytes) == "3a41a2c904c911915267b259736632912b6d45cc2bf7f4011f8126b7b0815608")
        #expect(hex((-x).bytes) == "75565a5bbda9150cc5cd0deaf5ecc661ca525e065cac3630a80d914fc7f76c09")
        #expect(x * (try x.inverse()) == .one)
        #expect(x + (-x) == .zero)
        #expect(Scalar(5) - Scalar(7) + Scalar(2) == .zero)
        #expect(throws: GroupError.zeroInverse) { try Scalar.zero.inverse() }
    }

    @Test func hashFramingIsAsDocumented() {
        // BLAKE2b-512(u32be(15) ‖ "tessera/test/v1" ‖ u32be(3) ‖ "abc" ‖ u32be(0)) mod ℓ, computed with hashlib.
        #expect(hex(Scalar.hash(domain: "tessera/test/v1", [Array("abc".utf8), []]).bytes)
                == "ee8c175502cdddba6cbc1715451964c25428162af7c1265664951731bbcbff09")
        #expect(hex(Scalar.hash(domain: "", []).bytes) == "478831463799abc73d15c40e1505a8fa4f9bd125285f5792fd2048cbc103040f")
        // Framing separates parts: ["ab", "c"] ≠ ["a", "bc"].
        #expect(Scalar.hash(domain: "d", [Array("ab".utf8), Array("c".utf8)]) != Scalar.hash(domain: "d", [Array("a".utf8), Array("bc".utf8)]))
    }

    @Test func canonicalDecodingRefusesValuesFromL() throws {
        let ell = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
        #expect(throws: GroupError.nonCanonicalScalar(what: "scalar", index: nil)) { try scalar(ell) }
        let ellMinusOne = "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
        #expect(try scalar(ellMinusOne) + .one == .zero)
        #expect(throws: GroupError.invalidLength(what: "scalar", expected: 32, found: 31)) {
            try Scalar(canonicalBytes: [UInt8](repeating: 0, count: 31))
        }
    }

    @Test func descriptionsRedactSecrets() throws {
        var rng = ChaCha20DRBG(seed: Seed(1))
        let s = Scalar.random(using: &rng)
        #expect(!"\(s)".contains(hex(s.bytes).prefix(8)))
        let share = try ElGamalKeyShare(index: 1, secrets: [s])
        #expect("\(share)" == "ElGamalKeyShare(holder 1, 1 keys, secrets redacted)")
        #expect(!"\(try SecretPolynomial(coefficients: [s]))".contains(hex(s.bytes).prefix(8)))
        #expect("\(ElGamalRandomness(s))" == "ElGamalRandomness(redacted)")
    }

    @Test func lagrangeAtZeroMatchesIntegers() throws {
        // {1, 3}: λ₁ = 3/2, λ₃ = −1/2 mod ℓ.
        let l = try Lagrange.coefficientsAtZero(for: [1, 3])
        #expect(hex(l[0].bytes) == "f8e97a2e8d31092c6bce7b51ef7c6f0a00000000000000000000000000000008")
        #expect(hex(l[1].bytes) == "f6e97a2e8d31092c6bce7b51ef7c6f0a00000000000000000000000000000008")
        // Interpolating f(x) = 7 + 5x + 2x² from any three points gives f(0).
        let f = try SecretPolynomial(coefficients: [Scalar(7), Scalar(5), Scalar(2)])
        for set in [[1, 2, 3], [5, 2, 4], [1, 4, 5]] {
            let lambda = try Lagrange.coefficientsAtZero(for: set)
            #expect(zip(set, lambda).reduce(Scalar.zero) { $0 + $1.1 * f.evaluate(at: $1.0) } == Scalar(7))
        }
        #expect(throws: GroupError.duplicateHolder(2)) { try Lagrange.coefficientsAtZero(for: [1, 2, 2]) }
        #expect(throws: GroupError.invalidHolderIndex(0)) { try Lagrange.coefficientsAtZero(for: [0, 1]) }
    }
}
