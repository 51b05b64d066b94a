/// A node's randomness: the OS generator in production, or a seeded ChaCha20 stream when a
/// simulation must reproduce a run bit for bit.
public enum NodeRandom: RandomSource, Sendable {
    case system(SystemRandom)
    case seeded(ChaCha20DRBG)

    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        switch self {
        case .system(var g): g.fill(buffer); self = .system(g)
        case .seeded(var g): g.fill(buffer); self = .seeded(g)
        }
    }
}
