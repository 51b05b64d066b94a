import CSodium

/// A 32-byte seed for `ChaCha20DRBG`.
public struct Seed: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a seed is 32 bytes")
        self.bytes = bytes
    }

    /// The seed a scenario's integer seed names: BLAKE2b-256("tessera/seed/v1" ‖ le64(value)).
    public init(_ value: UInt64) {
        var input = Array("tessera/seed/v1".utf8)
        withUnsafeBytes(of: value.littleEndian) { input.append(contentsOf: $0) }
        self.init(bytes: Blake2b.hash(input, outputLength: 32))
    }

    /// An independent sub-seed for a named purpose (a participant, a round, a sampler):
    /// BLAKE2b-256 keyed with this seed over the label. Distinct labels give
    /// computationally independent streams.
    public func derive(_ label: String) -> Seed {
        Seed(bytes: Blake2b.hash(Array(label.utf8), key: bytes, outputLength: 32))
    }
}

/// A deterministic random bit generator: the ChaCha20 keystream (Bernstein 2008; the
/// original 64-bit-nonce variant as in libsodium's `crypto_stream_chacha20`) under the seed
/// as key with a zero nonce, read sequentially. Used only where reproducibility is the point
/// (simulations, test vectors); production keys and noise use `SystemRandom`.
///
/// The stream is refilled in blocks of `blocksPerRefill` 64-byte ChaCha20 blocks, using the
/// block counter so that the output is exactly the keystream, however it is consumed.
public struct ChaCha20DRBG: RandomSource, Sendable {
    private static let blocksPerRefill = 16
    private let key: [UInt8]
    private var nextBlock: UInt64 = 0
    private var buffer: [UInt8] = []
    private var position = 0

    public init(seed: Seed) {
        Sodium.ensureInitialized()
        key = seed.bytes
    }

    public mutating func fill(_ out: UnsafeMutableRawBufferPointer) {
        var written = 0
        while written < out.count {
            if position == buffer.count { refill() }
            let n = min(out.count - written, buffer.count - position)
            buffer.withUnsafeBytes { src in
                out.baseAddress!.advanced(by: written)
                    .copyMemory(from: src.baseAddress!.advanced(by: position), byteCount: n)
            }
            position += n
            written += n
        }
    }

    private mutating func refill() {
        let count = Self.blocksPerRefill * 64
        let zeros = [UInt8](repeating: 0, count: count)
        var stream = [UInt8](repeating: 0, count: count)
        let nonce = [UInt8](repeating: 0, count: Int(crypto_stream_chacha20_NONCEBYTES))
        let rc = crypto_stream_chacha20_xor_ic(&stream, zeros, UInt64(count), nonce, nextBlock, key)
        precondition(rc == 0, "crypto_stream_chacha20_xor_ic failed")
        nextBlock += UInt64(Self.blocksPerRefill)
        buffer = stream
        position = 0
    }
}
