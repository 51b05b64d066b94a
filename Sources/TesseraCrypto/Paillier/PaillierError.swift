/// Everything the Paillier layer refuses, each with a message naming the problem.
public enum PaillierError: Error, CustomStringConvertible, Equatable {
    case plaintextOutOfRange(bits: Int, keyBits: Int)
    case negativePlaintext
    case ciphertextOutOfRange
    case ciphertextNotUnit
    case keyMismatch(expected: KeyID, found: KeyID)
    case invalidKey(String)
    case keySizeMismatch(String)
    case insufficientShares(have: Int, need: Int)
    case duplicateShare(index: Int)
    case unknownShareHolder(index: Int)
    case invalidProof(shareHolder: Int)
    case invalidRandomness

    public var description: String {
        switch self {
        case .plaintextOutOfRange(let bits, let keyBits):
            return "plaintext out of range: a \(bits)-bit value is not below the \(keyBits)-bit modulus n"
        case .negativePlaintext: return "plaintext out of range: negative (encode signed values first)"
        case .ciphertextOutOfRange: return "ciphertext out of range: must satisfy 0 < c < n²"
        case .ciphertextNotUnit: return "ciphertext invalid: gcd(c, n) ≠ 1"
        case .keyMismatch(let e, let f): return "key mismatch: expected key \(e), found key \(f)"
        case .invalidKey(let why): return "invalid key: \(why)"
        case .keySizeMismatch(let why): return "key size mismatch: \(why)"
        case .insufficientShares(let have, let need): return "threshold decryption needs \(need) valid shares, have \(have)"
        case .duplicateShare(let i): return "duplicate partial decryption from share holder \(i)"
        case .unknownShareHolder(let i): return "share holder \(i) is not part of this key"
        case .invalidProof(let i): return "partial decryption from share holder \(i) has an invalid proof"
        case .invalidRandomness: return "encryption randomness must be a unit modulo n"
        }
    }
}

/// A short, stable identifier of a public key: BLAKE2b-128 over its canonical encoding.
/// Carried with ciphertexts and partial decryptions so that material from another key is
/// refused by name rather than producing garbage.
public struct KeyID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public var description: String { bytes.hex }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let b = [UInt8](hex: s), b.count == 16 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "key id must be 32 hex digits")
        }
        bytes = b
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

