import CSodium
import TesseraRandom

/// Ed25519 signatures (Bernstein et al. 2012; RFC 8032 §5.1) through libsodium's
/// `crypto_sign_*`: every protocol message and transcript entry is signed with one.
/// Signing is deterministic (no randomness at signing time); keys come from a 32-byte seed
/// drawn from a `RandomSource`.
public struct SigningKey: Sendable, CustomStringConvertible {
    let seed: [UInt8]
    let secretKey: [UInt8]
    public let verifyingKey: VerifyingKey

    /// Derives the key pair from a 32-byte seed (RFC 8032 §5.1.5).
    public init(seed: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard seed.count == Int(crypto_sign_SEEDBYTES) else { throw SignatureError.invalidKeyLength(seed.count) }
        var pk = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        guard crypto_sign_seed_keypair(&pk, &sk, seed) == 0 else { throw SignatureError.invalidKeyLength(seed.count) }
        self.seed = seed
        secretKey = sk
        verifyingKey = try VerifyingKey(bytes: pk)
    }

    public static func generate<R: RandomSource>(using rng: inout R) -> SigningKey {
        try! SigningKey(seed: rng.bytes(Int(crypto_sign_SEEDBYTES)))
    }

    /// The seed, for writing the key file (mode 0600).
    public var seedForStorage: [UInt8] { seed }

    /// The key as PKCS#8 PEM ("PRIVATE KEY", RFC 8410: OID 1.3.101.112 and the RFC 8032
    /// seed), what `signing.key` holds (mode 0600). Secret.
    public var pkcs8PEM: String { PKCS8.pem(privateKey: seed, curve: .ed25519) }

    /// Reads a PKCS#8 PEM Ed25519 key (as written by `pkcs8PEM` or `openssl genpkey
    /// -algorithm ed25519`).
    public init(pkcs8PEM text: String) throws {
        try self.init(seed: try PKCS8.privateKey(pem: text, curve: .ed25519))
    }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        let rc = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        precondition(rc == 0, "crypto_sign_detached failed")
        return signature
    }

    public var description: String { "SigningKey(public \(verifyingKey), secret redacted)" }
}

public struct VerifyingKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws {
        guard bytes.count == Int(crypto_sign_PUBLICKEYBYTES) else { throw SignatureError.invalidKeyLength(bytes.count) }
        self.bytes = bytes
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Int(crypto_sign_BYTES) else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }

    public var description: String { bytes.hex }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let b = [UInt8](hex: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "verifying key must be hex")
        }
        try self.init(bytes: b)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes.hex)
    }
}

public enum SignatureError: Error, CustomStringConvertible, Equatable {
    case invalidKeyLength(Int)
    public var description: String { switch self { case .invalidKeyLength(let n): return "Ed25519 key of \(n) bytes; expected 32" } }
}

/// SHA-256 (FIPS 180-4) through libsodium, for certificate fingerprints.
public enum SHA256Digest {
    public static func hash(_ input: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256(&out, input, UInt64(input.count))
        return out
    }
}
