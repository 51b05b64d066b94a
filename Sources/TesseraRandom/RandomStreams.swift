/// Where a node's independent random streams come from: the OS generator in production, or,
/// in simulations, a ChaCha20 stream per purpose derived from the run's seed.
///
/// Each use names its purpose ("job/round/noise", "job/round/mask", …), so a seeded run does
/// not depend on the order in which a node consumes randomness, nor on how many threads split
/// the work: every chunk of parallel work takes its own labelled stream.
public enum RandomStreams: Sendable {
    case system
    case seeded(Seed)

    /// The stream for `label` (OS randomness, or ChaCha20 under `seed.derive(label)`).
    public func stream(_ label: String) -> NodeRandom {
        switch self {
        case .system: return .system(SystemRandom())
        case .seeded(let seed): return .seeded(ChaCha20DRBG(seed: seed.derive(label)))
        }
    }

    /// Streams for a sub-purpose: labels are joined with "/".
    public func scoped(_ label: String) -> RandomStreams {
        switch self {
        case .system: return .system
        case .seeded(let seed): return .seeded(seed.derive(label))
        }
    }

    public var isSeeded: Bool { if case .seeded = self { return true } else { return false } }
}
