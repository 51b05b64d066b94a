import Testing
import TesseraLattice
import TesseraRandom

/// The ChaCha20 block function of RFC 8439 §2.3, written out here so that the expansion is
/// checked against something other than libsodium.
func chacha20Block(key: [UInt8], counter: UInt32, nonce: [UInt8]) -> [UInt8] {
    func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24
    }
    var initial: [UInt32] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]
    initial += (0..<8).map { word(key, $0) }
    initial += [counter] + (0..<3).map { word(nonce, $0) }
    var x = initial
    func quarter(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        x[a] = x[a] &+ x[b]; x[d] ^= x[a]; x[d] = x[d].rotatedLeft(16)
        x[c] = x[c] &+ x[d]; x[b] ^= x[c]; x[b] = x[b].rotatedLeft(12)
        x[a] = x[a] &+ x[b]; x[d] ^= x[a]; x[d] = x[d].rotatedLeft(8)
        x[c] = x[c] &+ x[d]; x[b] ^= x[c]; x[b] = x[b].rotatedLeft(7)
    }
    for _ in 0..<10 {
        quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15)
        quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14)
    }
    return (0..<16).flatMap { i -> [UInt8] in
        let v = x[i] &+ initial[i]
        return [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }
}

extension UInt32 {
    func rotatedLeft(_ k: UInt32) -> UInt32 { (self << k) | (self >> (32 - k)) }
}

func independentBlock(_ j: UInt32, key: [UInt8], n: Int) -> [UInt64] {
    let nonce = [UInt8(truncatingIfNeeded: j), UInt8(truncatingIfNeeded: j >> 8), UInt8(truncatingIfNeeded: j >> 16), UInt8(truncatingIfNeeded: j >> 24)]
        + [UInt8](repeating: 0, count: 8)
    let stream = (0..<UInt32(n / 8)).flatMap { chacha20Block(key: key, counter: $0, nonce: nonce) }
    return (0..<n).map { i in (0..<8).reduce(UInt64(0)) { $0 | UInt64(stream[8 * i + $1]) << (8 * UInt64($1)) } }
}

@Suite struct PublicPolynomialTests {
    @Test func theKeyIsBlake2bOfTheFramedTranscript() {
        let t = PublicPolynomials.transcript(federation: "fed", job: "job-1", round: 7, parameters: [1, 2])
        let expected = Array("tessera/rlwe/public-polynomial/v1".utf8)
            + [0, 0, 0, 3] + Array("fed".utf8)
            + [0, 0, 0, 5] + Array("job-1".utf8)
            + [0, 0, 0, 7]
            + [0, 0, 0, 2, 1, 2]
        #expect(t == expected)
        let k = PublicPolynomials.key(federation: "fed", job: "job-1", round: 7, parameters: [1, 2])
        #expect(k == Blake2b.hash(expected, outputLength: 32))
        // The framing separates fields: moving a byte across a boundary changes K.
        #expect(PublicPolynomials.key(federation: "ab", job: "c", round: 1, parameters: [])
                != PublicPolynomials.key(federation: "a", job: "bc", round: 1, parameters: []))
        #expect(PublicPolynomials.key(federation: "f", job: "j", round: 1, parameters: [])
                != PublicPolynomials.key(federation: "f", job: "j", round: 2, parameters: []))
    }

    /// RFC 8439 Appendix A.1, test vector #1: zero key, zero nonce, counter 0.
    @Test func blockZeroUnderTheZeroKeyIsTheRFCKeystream() throws {
        let a = try PublicPolynomials.block(0, key: [UInt8](repeating: 0, count: 32), n: 8)
        #expect(a.map { String($0, radix: 16).leftPadded(16) } == [
            "903df1a0ade0b876", "28bd8653e56a5d40", "1aed8da0b819d2bd", "c70d778bccef36a8",
            "8d4857517c5941da", "374ad8b83fe02477", "1ca11815f4b8436a", "8665eeb269b687c3",
        ])
        #expect(chacha20Block(key: [UInt8](repeating: 0, count: 32), counter: 0, nonce: [UInt8](repeating: 0, count: 12))
                == MaskedUpdate.bytes(a))
    }

    @Test(arguments: [0, 1, 48, 0x0102_0304, 0xFFFF_FFFF] as [UInt32])
    func blocksMatchAnIndependentChaCha20(j: UInt32) throws {
        let key = Blake2b.hash(Array("block test".utf8), outputLength: 32)
        #expect(try PublicPolynomials.block(Int(j), key: key) == independentBlock(j, key: key, n: 2048))
    }

    @Test func badKeysAndIndicesAreRefusedByName() {
        let key = [UInt8](repeating: 1, count: 32)
        #expect(throws: LatticeError.blockIndexOutOfRange(-1)) { try PublicPolynomials.block(-1, key: key) }
        #expect(throws: LatticeError.blockIndexOutOfRange(1 << 32)) { try PublicPolynomials.block(1 << 32, key: key) }
        #expect(throws: LatticeError.lengthMismatch(what: "public-polynomial key bytes", expected: 32, actual: 31)) {
            try PublicPolynomials.block(0, key: [UInt8](repeating: 1, count: 31))
        }
    }
}
