import CSodium
import TesseraRandom

/// An X25519 key pair for sealed messages (libsodium `crypto_box`: X25519, XSalsa20-Poly1305).
/// A node's `sealing.key` (PKCS#8 PEM, RFC 8410 OID 1.3.101.110, mode 0600) holds the private
/// scalar; its public half is listed in the federation manifest, so that a dealer (or
/// another node) can seal a message that only this node opens. Secret: `description` redacts
/// it and nothing prints its bytes.
public struct SealingPrivateKey: Sendable, CustomStringConvertible {
    let secretKey: [UInt8]
    public let publicKey: SealingPublicKey

    /// The key pair of a 32-byte X25519 private scalar (RFC 7748 §5; clamped when used).
    public init(secretKey: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard secretKey.count == Int(crypto_box_SECRETKEYBYTES) else {
            throw SealingError.invalidKey("an X25519 private key is \(crypto_box_SECRETKEYBYTES) bytes, not \(secretKey.count)")
        }
        var pk = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        guard crypto_scalarmult_base(&pk, secretKey) == 0 else { throw SealingError.invalidKey("crypto_scalarmult_base failed") }
        self.secretKey = secretKey
        publicKey = try SealingPublicKey(bytes: pk)
    }

    /// A fresh key pair: `crypto_box_seed_keypair` on 32 bytes of `rng` (so a seeded source
    /// reproduces it).
    public static func generate<R: RandomSource>(using rng: inout R) -> SealingPrivateKey {
        Sodium.ensureInitialized()
        var seed = rng.bytes(Int(crypto_box_SEEDBYTES))
        defer { sodium_memzero(&seed, seed.count) }
        var pk = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
        precondition(crypto_box_seed_keypair(&pk, &sk, seed) == 0, "crypto_box_seed_keypair failed")
        return try! SealingPrivateKey(secretKey: sk)
    }

    /// PKCS#8 PEM ("PRIVATE KEY", RFC 8410 X25519), what `sealing.key` holds. Secret.
    public var pkcs8PEM: String { PKCS8.pem(privateKey: secretKey, curve: .x25519) }

    /// Reads a PKCS#8 PEM X25519 key (as written by `pkcs8PEM` or `openssl genpkey -algorithm x25519`).
    public init(pkcs8PEM text: String) throws {
        try self.init(secretKey: try PKCS8.privateKey(pem: text, curve: .x25519))
    }

    public var description: String { "SealingPrivateKey(public \(publicKey), secret redacted)" }
}

/// An X25519 public key (32 bytes), hex in JSON. Small-order points, for which every shared
/// secret is zero, are refused.
public struct SealingPublicKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard bytes.count == Int(crypto_box_PUBLICKEYBYTES) else {
            throw SealingError.invalidKey("an X25519 public key is \(crypto_box_PUBLICKEYBYTES) bytes, not \(bytes.count)")
        }
        // crypto_scalarmult refuses exactly the points of small order (the clamped scalar is a
        // multiple of the cofactor, so the product is the identity only for those).
        var scalar = [UInt8](repeating: 0, count: Int(crypto_scalarmult_SCALARBYTES))
        scalar[0] = 9
        var q = [UInt8](repeating: 0, count: Int(crypto_scalarmult_BYTES))
        guard crypto_scalarmult(&q, scalar, bytes) == 0 else {
            throw SealingError.invalidKey("X25519 public key \(bytes.hex) is a point of small order")
        }
        self.bytes = bytes
    }

    public var description: String { bytes.hex }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let b = [UInt8](hex: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an X25519 public key must be 64 hex digits")
        }
        do { try self.init(bytes: b) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes.hex)
    }
}

public enum SealingError: Error, CustomStringConvertible, Equatable {
    case invalidKey(String)
    /// The box is not for this key pair (or was altered): nothing is returned.
    case doesNotOpen(String)

    public var description: String {
        switch self {
        case .invalidKey(let why): return why
        case .doesNotOpen(let why): return "sealed box does not open: \(why)"
        }
    }
}
