import TesseraRandom

/// The secret distribution: the centred binomial B_η with η = 4, Σ_{i<4} (a_i − b_i) for
/// independent fair bits, as in Kyber (Bos et al., "CRYSTALS-Kyber: a CCA-secure
/// module-lattice-based KEM", EuroS&P 2018, its CBD_η sampler), values in [−4, 4],
/// variance 2. Not ternary on purpose: with ternary or binary secrets, knowing s_1 + s_2
/// pins the coefficients where the sum is extreme.
///
/// Encoding: one random byte per coefficient, coefficient = popcount(byte & 0x0F) −
/// popcount(byte >> 4). Bytes are drawn in one call, n of them, in coefficient order.
public enum CenteredBinomial {
    public static let eta = 4

    @inline(__always)
    public static func coefficient(fromByte b: UInt8) -> Int8 {
        Int8((b & 0x0F).nonzeroBitCount) - Int8((b >> 4).nonzeroBitCount)
    }

    public static func sample<R: RandomSource>(count: Int, using source: inout R) -> [Int8] {
        source.bytes(count).map(coefficient(fromByte:))
    }
}

/// The mask errors: uniform on [−2^19, 2^19) (errorBits = 19). Uniform rather than Gaussian
/// because the errors never reach the output (decoding removes them exactly) and a uniform
/// draw needs no floating point nor tail cut; the security estimate in ONE-SHOT.md is for
/// this distribution.
///
/// Encoding: four random bytes per coefficient, read as a little-endian u32 w;
/// error = (w & (2^20 − 1)) − 2^19. Bytes are drawn in one call, in coefficient order.
public enum UniformErrors {
    public static let bits = 19

    @inline(__always)
    public static func error(fromWord w: UInt32) -> Int32 {
        Int32(w & 0xF_FFFF) - (1 << 19)
    }

    public static func sample<R: RandomSource>(count: Int, using source: inout R) -> [Int32] {
        let raw = source.bytes(4 * count)
        var out = [Int32](repeating: 0, count: count)
        raw.withUnsafeBufferPointer { b in
            for i in 0..<count {
                let w = UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24
                out[i] = error(fromWord: w)
            }
        }
        return out
    }
}
