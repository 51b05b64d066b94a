import CSodium
import TesseraRandom

/// The public polynomials a_j of a round, derived by every participant from public round
/// data and never accepted from the coordinator (one that chose a_j could pick it to
/// cancel the mask). Every 64-bit word of the keystream is a uniform element of Z_{2^64},
/// so no rejection sampling is needed (unlike a prime modulus).
///
/// Key:   K = BLAKE2b-256("tessera/rlwe/public-polynomial/v1" ‖ len32(federation) ‖ federation
///            ‖ len32(job) ‖ job ‖ u32be(round) ‖ len32(parameters) ‖ parameters),
///        len32 = 4-byte big-endian length, strings UTF-8, the domain not prefixed.
/// Block: a_j = the first 8n bytes of the ChaCha20 keystream of RFC 8439 (libsodium
///        `crypto_stream_chacha20_ietf`) under key K, nonce u32le(j) ‖ 0^8, block counter 0,
///        read as n little-endian 64-bit words: a_j[i] = le64(keystream[8i ..< 8i + 8]).
public enum PublicPolynomials {
    public static let domain = "tessera/rlwe/public-polynomial/v1"

    /// The exact BLAKE2b input for K (exposed for test vectors and other implementations).
    public static func transcript(federation: String, job: String, round: UInt32, parameters: [UInt8]) -> [UInt8] {
        var t = Array(domain.utf8)
        func field(_ bytes: [UInt8]) {
            precondition(bytes.count <= Int(UInt32.max), "a transcript field is at most 2^32 − 1 bytes")
            t.append(contentsOf: bigEndian32(UInt32(bytes.count)))
            t.append(contentsOf: bytes)
        }
        field(Array(federation.utf8))
        field(Array(job.utf8))
        t.append(contentsOf: bigEndian32(round))
        field(parameters)
        return t
    }

    /// K, 32 bytes.
    public static func key(federation: String, job: String, round: UInt32, parameters: [UInt8]) -> [UInt8] {
        Blake2b.hash(transcript(federation: federation, job: job, round: round, parameters: parameters), outputLength: 32)
    }

    /// a_j for block j ∈ [0, 2^32) under key K (32 bytes).
    public static func block(_ j: Int, key: [UInt8], n: Int = 2048) throws -> [UInt64] {
        guard key.count == 32 else { throw LatticeError.lengthMismatch(what: "public-polynomial key bytes", expected: 32, actual: key.count) }
        guard j >= 0, j <= Int(UInt32.max) else { throw LatticeError.blockIndexOutOfRange(j) }
        precondition(n > 0 && n <= 1 << 28, "at most 2^28 words per block (2^32 ChaCha20 blocks per nonce)")
        var out = [UInt64](repeating: 0, count: n)
        expand(j, key: key, into: &out)
        return out
    }

    /// Writes a_j into `out` (out.count = n); key and j already checked.
    static func expand(_ j: Int, key: [UInt8], into out: inout [UInt64]) {
        Sodium.ensureInitialized()
        var nonce = [UInt8](repeating: 0, count: Int(crypto_stream_chacha20_ietf_NONCEBYTES))
        let jj = UInt32(j)
        for b in 0..<4 { nonce[b] = UInt8(truncatingIfNeeded: jj >> (8 * UInt32(b))) }
        let byteCount = out.count * 8
        let rc = out.withUnsafeMutableBytes { buf in
            crypto_stream_chacha20_ietf(buf.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                        UInt64(byteCount), nonce, key)
        }
        precondition(rc == 0, "crypto_stream_chacha20_ietf failed")
        for i in 0..<out.count { out[i] = UInt64(littleEndian: out[i]) }  // a no-op on little-endian hosts
    }

    static func bigEndian32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
}
