import CSodium

/// The operating system's generator through libsodium's `randombytes_buf`
/// (getrandom(2) on Linux). Use for keys and for noise outside simulations.
public struct SystemRandom: RandomSource, Sendable {
    public init() { Sodium.ensureInitialized() }

    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }
}

/// libsodium must be initialised once per process before use; `sodium_init` is idempotent
/// and thread-safe.
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0
    public static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }
}
