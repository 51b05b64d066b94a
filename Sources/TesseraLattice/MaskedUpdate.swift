import TesseraParallel
import TesseraRandom

/// The participant's side of the mask layer: y_j = a_j·s + e_j + Δ·x_j for every block j
/// (ring-LWE encryption with the message in the high bits, LPR 2010; key-additive as in
/// Willow, eprint 2024/936).
///
/// Layout: the update x (length L) is cut into ⌈L/n⌉ blocks of n values, the last
/// zero-padded; x_j[i] = x[j·n + i] taken mod 2^b (two's complement), so Δ·x = x << (64 − b)
/// mod 2^64. Every coefficient, padding included, gets its own error: an error-free padding
/// coefficient would hand out a_j·s in the clear there.
///
/// Randomness: all errors are drawn from the caller's source before the parallel part, in
/// one call of 4·n·blocks bytes, block 0 coefficient 0 first (see `UniformErrors`); the
/// result is the same for every thread count.
public enum MaskedUpdate {
    /// The masked update, blocks × n words, block j at words [j·n, (j+1)·n).
    ///
    /// `key` is K from `PublicPolynomials.key`, computed by the participant from the round's
    /// public data. Refuses values outside [−2^(b−1), 2^(b−1)), a secret of another size,
    /// and a secret that already masked an update.
    public static func mask<R: RandomSource>(values: [Int64], secret: MaskSecret, errors source: inout R, key: [UInt8],
                                             parameters: MaskParameters, parallelism: Parallelism = .serial) async throws -> [UInt64] {
        guard secret.n == parameters.n else {
            throw LatticeError.lengthMismatch(what: "mask secret coefficients", expected: parameters.n, actual: secret.n)
        }
        try checkKey(key)
        let range = parameters.valueRange
        if let i = values.firstIndex(where: { !range.contains($0) }) {
            throw LatticeError.valueOutOfRange(index: i, value: values[i], messageBits: parameters.messageBits)
        }
        try secret.claim()
        let errors = UniformErrors.sample(count: parameters.blockCount(length: values.count) * parameters.n, using: &source)
        return try await mask(values: values, secret: secret.polynomial, errors: errors, key: key,
                              parameters: parameters, parallelism: parallelism)
    }

    /// The deterministic core with explicit errors (test vectors). Not public: a caller
    /// choosing e could reuse it.
    package static func mask(values: [Int64], secret: SmallSecret, errors: [Int32], key: [UInt8],
                             parameters: MaskParameters, parallelism: Parallelism) async throws -> [UInt64] {
        let blocks = parameters.blockCount(length: values.count)
        precondition(errors.count == blocks * parameters.n && secret.n == parameters.n && key.count == 32)
        return try await parallelism.map(blocks) { range in
            maskBlocks(range, values: values, secret: secret, errors: errors, key: key, parameters: parameters)
        }
    }

    package static func maskBlocks(_ blocks: Range<Int>, values: [Int64], secret: SmallSecret, errors: [Int32],
                                   key: [UInt8], parameters: MaskParameters) -> [UInt64] {
        let n = parameters.n, shift = UInt64(parameters.shift)
        var out = [UInt64](repeating: 0, count: blocks.count * n)
        var a = [UInt64](repeating: 0, count: n)
        for (k, j) in blocks.enumerated() {
            PublicPolynomials.expand(j, key: key, into: &a)
            a.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    let y = dst.baseAddress! + k * n
                    secret.multiply(src.baseAddress!, into: y)
                    let base = j * n
                    for i in 0..<n {
                        let x = base + i < values.count ? UInt64(bitPattern: values[base + i]) : 0
                        y[i] = y[i] &+ UInt64(bitPattern: Int64(errors[base + i])) &+ (x &<< shift)
                    }
                }
            }
        }
        return out
    }

    /// The wire encoding of a masked vector (or of a sum): each word as 8 little-endian bytes,
    /// in order.
    public static func bytes(_ words: [UInt64]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: words.count * 8)
        out.withUnsafeMutableBytes { buf in
            for (i, w) in words.enumerated() { buf.storeBytes(of: w.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        }
        return out
    }

    /// Decodes the wire encoding of a masked vector of `length` values: exactly
    /// 8·n·⌈length/n⌉ bytes, refused otherwise naming both sizes.
    public static func words(fromBytes bytes: [UInt8], parameters: MaskParameters, length: Int) throws -> [UInt64] {
        let expected = parameters.blockCount(length: length) * parameters.n * 8
        guard bytes.count == expected else {
            throw LatticeError.lengthMismatch(what: "masked vector bytes", expected: expected, actual: bytes.count)
        }
        return bytes.withUnsafeBytes { buf in
            (0..<(expected / 8)).map { UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
        }
    }

    static func checkKey(_ key: [UInt8]) throws {
        guard key.count == 32 else { throw LatticeError.lengthMismatch(what: "public-polynomial key bytes", expected: 32, actual: key.count) }
    }
}
