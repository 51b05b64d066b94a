/// A source of uniformly random bytes. Every random value in Tessera flows through one of
/// the two implementations in this module, both backed by libsodium:
/// `SystemRandom` (the OS generator, for production keys and noise) and `ChaCha20DRBG`
/// (a seeded stream, so that a simulation's seed reproduces a run bit for bit).
public protocol RandomSource {
    /// Fills `buffer` with uniformly random bytes.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

extension RandomSource {
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    public mutating func nextUInt64() -> UInt64 {
        var x: UInt64 = 0
        withUnsafeMutableBytes(of: &x) { fill($0) }
        return UInt64(littleEndian: x)
    }

    /// A uniform integer in [0, bound), by rejection (no modulo bias).
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        if bound & (bound &- 1) == 0 { return nextUInt64() & (bound &- 1) }
        // Accept x below the largest multiple of `bound` that is at most 2^64.
        let rejectBelow = (0 &- bound) % bound  // 2^64 mod bound
        while true {
            let x = nextUInt64()
            if x >= rejectBelow { return x % bound }
        }
    }

    /// A fair coin.
    public mutating func bit() -> Bool { nextUInt64() & 1 == 1 }
}
