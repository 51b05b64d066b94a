import CSodium
import TesseraRandom

/// An integer modulo ℓ = 2^252 + 27742317777372353535851937790883648493, the order of
/// ristretto255 (RFC 9496 §4), stored as its canonical 32-byte little-endian encoding.
///
/// Scalars are often secret (randomness, nonces, key shares), so `description` never prints
/// the value and `==` does not exit early. Arithmetic is libsodium's
/// `crypto_core_ristretto255_scalar_*`.
public struct Scalar: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let storage: Bytes32

    init(storage: Bytes32) { self.storage = storage }

    public static let zero = Scalar(storage: .zero)
    public static let one = Scalar(1)

    /// A small integer (always < ℓ).
    public init(_ value: UInt64) {
        var bytes = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: value.littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
        storage = Bytes32(bytes)
    }

    /// Decodes a scalar received from elsewhere: exactly 32 bytes, little-endian, and < ℓ
    /// (non-canonical encodings are refused, not reduced, so that every scalar has one
    /// encoding and a proof cannot be re-encoded).
    public init<C: Collection>(canonicalBytes bytes: C, what: String = "scalar", index: Int? = nil) throws
    where C.Element == UInt8 {
        guard bytes.count == 32 else { throw GroupError.invalidLength(what: what, expected: 32, found: bytes.count) }
        let candidate = Bytes32(bytes)
        // Canonical iff reducing the 64-byte zero-extension leaves it unchanged.
        let reduced = Scalar.reduce(wide: candidate.bytes + [UInt8](repeating: 0, count: 32))
        guard reduced.storage == candidate else { throw GroupError.nonCanonicalScalar(what: what, index: index) }
        storage = candidate
    }

    /// x mod ℓ for a 64-byte little-endian x (`crypto_core_ristretto255_scalar_reduce`).
    public static func reduce(wide bytes: [UInt8]) -> Scalar {
        precondition(bytes.count == 64, "reduce(wide:) takes 64 bytes")
        Sodium.ensureInitialized()
        let (out, _) = Bytes32.writing { r in
            crypto_core_ristretto255_scalar_reduce(r, bytes)
            return 0
        }
        return Scalar(storage: out)
    }

    /// A uniform non-zero scalar: 64 bytes from `rng` reduced mod ℓ (statistical distance
    /// from uniform below 2^−259), redrawn in the (2^−252) case of zero. Zero is excluded
    /// because it would make a ciphertext's c1 or a proof nonce the identity.
    public static func random<R: RandomSource>(using rng: inout R) -> Scalar {
        while true {
            let s = reduce(wide: rng.bytes(64))
            if !s.storage.isZero { return s }
        }
    }

    /// The domain-separated hash of a list of byte strings to a scalar:
    ///
    ///     Scalar.hash(domain, parts) = reduce(BLAKE2b-512(u32be(|d|) ‖ d ‖ u32be(|p₁|) ‖ p₁ ‖ … ))
    ///
    /// with d = UTF-8(domain). Used for every Fiat–Shamir challenge (Fiat–Shamir 1986) and
    /// batching coefficient of this module.
    public static func hash(domain: String, _ parts: [[UInt8]]) -> Scalar {
        reduce(wide: Framing.hash512(domain: domain, parts))
    }

    /// The canonical encoding. For secrets, only for storage with mode 0600.
    public var bytes: [UInt8] { storage.bytes }
    public var isZero: Bool { storage.isZero }

    public var description: String { "Scalar(redacted)" }
    public var debugDescription: String { description }
    /// No children, so that `dump` and debuggers' mirrors show no bytes either.
    public var customMirror: Mirror { Mirror(self, children: []) }

    public static func == (a: Scalar, b: Scalar) -> Bool { Bytes32.constantTimeEqual(a.storage, b.storage) }
    public func hash(into h: inout Hasher) { storage.hash(into: &h) }

    public static func + (a: Scalar, b: Scalar) -> Scalar {
        binary(a, b) { crypto_core_ristretto255_scalar_add($0, $1, $2) }
    }

    public static func - (a: Scalar, b: Scalar) -> Scalar {
        binary(a, b) { crypto_core_ristretto255_scalar_sub($0, $1, $2) }
    }

    public static func * (a: Scalar, b: Scalar) -> Scalar {
        binary(a, b) { crypto_core_ristretto255_scalar_mul($0, $1, $2) }
    }

    public static prefix func - (a: Scalar) -> Scalar {
        let (out, _) = Bytes32.writing { r in
            a.storage.withPointer { crypto_core_ristretto255_scalar_negate(r, $0) }
            return 0
        }
        return Scalar(storage: out)
    }

    public static func += (a: inout Scalar, b: Scalar) { a = a + b }

    /// a⁻¹ mod ℓ; throws for 0.
    public func inverse() throws -> Scalar {
        let (out, rc) = Bytes32.writing { r in storage.withPointer { crypto_core_ristretto255_scalar_invert(r, $0) } }
        guard rc == 0, !storage.isZero else { throw GroupError.zeroInverse }
        return Scalar(storage: out)
    }

    private static func binary(_ a: Scalar, _ b: Scalar,
                               _ op: (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void) -> Scalar {
        let (out, _) = Bytes32.writing { r in
            a.storage.withPointer { pa in b.storage.withPointer { pb in op(r, pa, pb) } }
            return 0
        }
        return Scalar(storage: out)
    }
}
