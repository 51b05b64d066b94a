import Testing
import TesseraMath
import TesseraRandom

@Suite struct SafePrimeTests {
    @Test func knownSafeAndUnsafePrimes() {
        for p in [7, 11, 23, 47, 59, 83, 107, 167, 179, 227, 263] { #expect(SafePrime.isSafePrime(BigInt(p)), "\(p)") }
        for x in [13, 29, 31, 37, 41, 43, 53, 61, 25, 21, 100] { #expect(!SafePrime.isSafePrime(BigInt(x)), "\(x)") }
        // 2^127 − 1 is prime but (2^127 − 2)/2 = 2^126 − 1 = 3 · … is not.
        #expect(!SafePrime.isSafePrime((BigInt(1) << 127) - 1))
    }

    @Test(arguments: [64, 256, 512])
    func generatedSafePrimesPassAnIndependentTest(bits: Int) {
        var rng = ChaCha20DRBG(seed: Seed(UInt64(bits)))
        let p = SafePrime.random(bits: bits, using: &rng)
        #expect(p.bitWidth == bits)
        #expect(p.bit(bits - 2), "top two bits set so that products have full length")
        // OpenSSL shares no code with GMP: both must call p and (p − 1)/2 prime.
        #expect(OpenSSLPrimality.isProbablePrime(p))
        #expect(OpenSSLPrimality.isProbablePrime((p - 1) >> 1))
        #expect(p.modulo(4) == 3)
    }

    @Test func generationIsDeterministicForASeed() {
        var a = ChaCha20DRBG(seed: Seed(9)), b = ChaCha20DRBG(seed: Seed(9)), c = ChaCha20DRBG(seed: Seed(10))
        let p = SafePrime.random(bits: 128, using: &a)
        #expect(p == SafePrime.random(bits: 128, using: &b))
        #expect(p != SafePrime.random(bits: 128, using: &c))
    }

    @Test func openSSLRejectsComposites() {
        #expect(!OpenSSLPrimality.isProbablePrime(BigInt(561)))  // Carmichael number
        #expect(!OpenSSLPrimality.isProbablePrime(BigInt(hex: "ffffffffffffffffffffffffffffffff")!))
        #expect(OpenSSLPrimality.isProbablePrime((BigInt(1) << 127) - 1))
    }
}
