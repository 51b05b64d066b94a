import Testing
import TesseraRandom

@Suite struct RandomTests {
    /// RFC 7539 §2.3.2 / Appendix A.1 test vector #1: the ChaCha20 block for the all-zero key
    /// and nonce at counter 0 (identical for the 64-bit-nonce variant).
    @Test func chacha20KnownAnswer() {
        var drbg = ChaCha20DRBG(seed: Seed(bytes: [UInt8](repeating: 0, count: 32)))
        let expected = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
            + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"
        #expect(drbg.bytes(64).map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test func streamDoesNotDependOnHowItIsRead() {
        var whole = ChaCha20DRBG(seed: Seed(42))
        var pieces = ChaCha20DRBG(seed: Seed(42))
        let a = whole.bytes(5000)
        var b: [UInt8] = []
        for size in [1, 63, 64, 65, 1000, 7, 3800] { b += pieces.bytes(size) }
        #expect(a == b)
    }

    @Test func seedsAndLabelsSeparateStreams() {
        var a = ChaCha20DRBG(seed: Seed(1)), b = ChaCha20DRBG(seed: Seed(2))
        #expect(a.bytes(32) != b.bytes(32))
        var c = ChaCha20DRBG(seed: Seed(1).derive("brand-1")), d = ChaCha20DRBG(seed: Seed(1).derive("brand-2"))
        #expect(c.bytes(32) != d.bytes(32))
        #expect(Seed(1).derive("x") == Seed(1).derive("x"))
    }

    @Test func blake2bKnownAnswer() {
        // BLAKE2b-512 of the empty string (RFC 7693 reference implementation output).
        let digest = Blake2b.hash([], outputLength: 64).map { String(format: "%02x", $0) }.joined()
        #expect(digest == "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
            + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")
    }

    @Test func uniformBelowIsUnbiased() {
        // Chi-squared over 6 cells with 60,000 draws; 5 degrees of freedom, p = 1e-4 critical value 25.7.
        var rng = ChaCha20DRBG(seed: Seed(7))
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[Int(rng.uniform(below: 6))] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chi2 < 25.7)
        // A modulo-biased reduction (a digit 0...9 taken mod 6) fails the same check.
        var biased = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { biased[Int(rng.uniform(below: 10) % 6)] += 1 }
        let chi2b = biased.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chi2b > 25.7)
    }

    @Test func systemRandomProducesDistinctOutput() {
        var rng = SystemRandom()
        #expect(rng.bytes(32) != rng.bytes(32))
    }
}

import Foundation
