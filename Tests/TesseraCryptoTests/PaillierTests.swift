import Testing
import TesseraCrypto
import TesseraMath
import TesseraRandom

@Suite struct PaillierTests {
    @Test func knownAnswerVectors() throws {
        let json = try Fixtures.vectors("paillier.json")
        let k = json["key"] as! [String: Any]
        let key = try PaillierPrivateKey(p: hex(k["p"]), q: hex(k["q"]), h: hex(k["h"]))
        #expect(key.publicKey.n == hex(k["n"]))
        let cases = json["cases"] as! [[String: Any]]
        #expect(cases.count >= 8)
        var messages = Set<BigInt>()
        for c in cases {
            let m = hex(c["m"]), r = hex(c["r"]), expected = hex(c["c"])
            #expect(try key.publicKey.encrypt(m, randomness: r).value == expected)
            #expect(try key.decrypt(key.publicKey.ciphertext(expected)) == m)
            messages.insert(m)
        }
        #expect(messages.contains(0) && messages.contains(key.publicKey.n - 1))
        #expect(cases.contains { ($0["source"] as? String) == "djn" })
    }

    @Test func djnEncryptionIsTextbookPaillierWithRevealedRandomness() throws {
        let pk = Fixtures.key.publicKey
        var rng = ChaCha20DRBG(seed: Seed(5))
        for lookup in FixedBaseTable.Lookup.allCases {
            let encryptor = PaillierEncryptor(publicKey: pk, windowBits: 5, lookup: lookup)
            for _ in 0..<5 {
                let m = BigInt.random(below: pk.n, using: &rng)
                let (c, r) = try encryptor.encryptRevealingRandomness(m, using: &rng)
                #expect(try pk.encrypt(m, randomness: r) == c)
                #expect(try Fixtures.key.decrypt(c) == m)
            }
        }
        let short = PaillierEncryptor(publicKey: pk, exponentLength: .short(bits: 256), windowBits: 4)
        #expect(try Fixtures.key.decrypt(short.encrypt(BigInt(99), using: &rng)) == 99)
    }

    @Test func encryptionIsRandomized() throws {
        let encryptor = PaillierEncryptor(publicKey: Fixtures.key.publicKey, windowBits: 4)
        var rng = SystemRandom()
        #expect(try encryptor.encrypt(BigInt(1), using: &rng) != encryptor.encrypt(BigInt(1), using: &rng))
    }

    @Test func homomorphismHoldsOnRandomInputs() throws {
        let key = Fixtures.key, pk = key.publicKey, n = pk.n
        let encryptor = PaillierEncryptor(publicKey: pk, windowBits: 4)
        var rng = ChaCha20DRBG(seed: Seed(6))
        for _ in 0..<20 {
            let a = BigInt.random(below: n, using: &rng), b = BigInt.random(below: n, using: &rng)
            let k = BigInt.random(bits: 300, using: &rng) - (BigInt(1) << 299)
            let ca = try encryptor.encrypt(a, using: &rng), cb = try encryptor.encrypt(b, using: &rng)
            #expect(try key.decrypt(pk.add(ca, cb)) == (a + b).modulo(n))
            #expect(try key.decrypt(pk.subtract(ca, cb)) == (a - b).modulo(n))
            #expect(try key.decrypt(pk.negate(ca)) == (-a).modulo(n))
            #expect(try key.decrypt(pk.multiply(ca, by: k)) == (a * k).modulo(n))
        }
        let many = try (1...30).map { try encryptor.encrypt(BigInt($0), using: &rng) }
        #expect(try key.decrypt(pk.sum(many)) == 465)
    }

    @Test func outOfRangePlaintextsAreRefusedByName() throws {
        let pk = Fixtures.key.publicKey
        var rng = ChaCha20DRBG(seed: Seed(7))
        let encryptor = PaillierEncryptor(publicKey: pk, windowBits: 4)
        #expect(throws: PaillierError.plaintextOutOfRange(bits: pk.n.bitWidth, keyBits: 512)) { try encryptor.encrypt(pk.n, using: &rng) }
        #expect(throws: PaillierError.negativePlaintext) { try encryptor.encrypt(BigInt(-1), using: &rng) }
        #expect(throws: PaillierError.invalidRandomness) { try pk.encrypt(BigInt(1), randomness: pk.n) }
        #expect(throws: PaillierError.invalidRandomness) { try pk.encrypt(BigInt(1), randomness: Fixtures.key.primes.p) }
    }

    @Test func invalidCiphertextsAreRefusedByName() throws {
        let pk = Fixtures.key.publicKey
        #expect(throws: PaillierError.ciphertextOutOfRange) { try pk.ciphertext(BigInt(0)) }
        #expect(throws: PaillierError.ciphertextOutOfRange) { try pk.ciphertext(pk.nSquared) }
        #expect(throws: PaillierError.ciphertextOutOfRange) { try pk.ciphertext(BigInt(-5)) }
        #expect(throws: PaillierError.ciphertextNotUnit) { try pk.ciphertext(pk.n) }
        #expect(throws: PaillierError.ciphertextNotUnit) { try pk.ciphertext(Fixtures.key.primes.q * 3) }
        #expect(try pk.ciphertext(BigInt(1)).value == 1)
    }

    @Test func ciphertextsOfAnotherKeyAreRefused() throws {
        var rng = ChaCha20DRBG(seed: Seed(8))
        let mine = try PaillierEncryptor(publicKey: Fixtures.key.publicKey, windowBits: 4).encrypt(BigInt(1), using: &rng)
        let theirs = try PaillierEncryptor(publicKey: Fixtures.otherKey.publicKey, windowBits: 4).encrypt(BigInt(1), using: &rng)
        let expected = PaillierError.keyMismatch(expected: Fixtures.key.publicKey.id, found: Fixtures.otherKey.publicKey.id)
        #expect(throws: expected) { try Fixtures.key.publicKey.add(mine, theirs) }
        #expect(throws: expected) { try Fixtures.key.decrypt(theirs) }
    }

    @Test func inconsistentKeyMaterialIsRefusedByName() throws {
        let (p, q) = Fixtures.key.primes
        let h = Fixtures.key.publicKey.h
        #expect(throws: PaillierError.invalidKey("p = q")) { try PaillierPrivateKey(p: p, q: p, h: h) }
        #expect(throws: PaillierError.invalidKey("p is not prime")) { try PaillierPrivateKey(p: p + 2, q: q, h: h) }
        var rng = ChaCha20DRBG(seed: Seed(11))
        let small = SafePrime.random(bits: 128, using: &rng)
        #expect(throws: PaillierError.keySizeMismatch("p has 256 bits and q has 128; they must be equal")) {
            try PaillierPrivateKey(p: p, q: small, h: h)
        }
        #expect(throws: PaillierError.self) { try PaillierPublicKey(n: BigInt(1) << 600, h: BigInt(3)) }
        #expect(throws: PaillierError.self) { try PaillierPublicKey(n: Fixtures.key.publicKey.n, h: p) }
        #expect(throws: PaillierError.self) { try PaillierKeyGeneration.generate(bits: 129, using: &rng) }
    }

    @Test func generatedKeysHaveExactSizeAndSafePrimes() throws {
        var rng = ChaCha20DRBG(seed: Seed(12))
        let key = try PaillierKeyGeneration.generate(bits: 768, using: &rng)
        #expect(key.publicKey.n.bitWidth == 768)
        #expect(SafePrime.isSafePrime(key.primes.p) && SafePrime.isSafePrime(key.primes.q))
        #expect(OpenSSLPrimality.isProbablePrime(key.primes.p) && OpenSSLPrimality.isProbablePrime(key.primes.q))
    }
}
