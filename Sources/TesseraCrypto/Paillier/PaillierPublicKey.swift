import TesseraMath
import TesseraRandom

/// A Paillier ciphertext under the key `keyID`: an element of Z*_{n²}.
public struct Ciphertext: Sendable, Hashable {
    public let value: BigInt
    public let keyID: KeyID
}

/// The public half of a Paillier key (Paillier 1999, §3, Scheme 1, with g = n + 1).
///
/// Holds, besides n, the public base of Damgård–Jurik–Nielsen encryption
/// (DJN 2010, "A generalization of Paillier's public-key system with applications to
/// electronic voting", §4.2, the "optimised" key generation): h = −y² mod n for a random
/// unit y chosen at key generation, and h_n = h^n mod n². Encrypting with h_n^x in place of
/// r^n replaces a fresh exponentiation per ciphertext by a fixed-base one (see
/// `PaillierEncryptor`). Anyone can encrypt and compute on ciphertexts with this type;
/// nothing here can decrypt.
public struct PaillierPublicKey: Sendable, Hashable {
    public let n: BigInt
    public let nSquared: BigInt
    public let h: BigInt
    public let hN: BigInt
    public let id: KeyID

    /// Smallest modulus accepted at all (tests use small keys; production policy asks 2048+).
    public static let minimumBits = 256

    public init(n: BigInt, h: BigInt) throws {
        guard n.bitWidth >= Self.minimumBits else {
            throw PaillierError.keySizeMismatch("modulus has \(n.bitWidth) bits, fewer than \(Self.minimumBits)")
        }
        guard n.isOdd else { throw PaillierError.invalidKey("modulus n is even") }
        guard h.signum > 0, h < n, BigInt.gcd(h, n) == 1 else {
            throw PaillierError.invalidKey("DJN base h is not a unit modulo n")
        }
        self.n = n
        self.nSquared = n * n
        self.h = h
        self.hN = h.power(n, modulus: nSquared)
        var material = Array("tessera/paillier-public-key/v1".utf8)
        material += Self.lengthPrefixed(n.bigEndianBytes())
        material += Self.lengthPrefixed(h.bigEndianBytes())
        self.id = KeyID(bytes: Blake2b.hash(material, outputLength: 16))
    }

    static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes
    }

    public var bits: Int { n.bitWidth }

    public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.n == b.n && a.h == b.h }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    // MARK: - Validation

    /// Checks 0 ≤ m < n.
    public func checkPlaintext(_ m: BigInt) throws {
        guard !m.isNegative else { throw PaillierError.negativePlaintext }
        guard m < n else { throw PaillierError.plaintextOutOfRange(bits: m.bitWidth, keyBits: bits) }
    }

    /// Accepts a received value as a ciphertext under this key: 0 < c < n² and gcd(c, n) = 1.
    public func ciphertext(_ value: BigInt) throws -> Ciphertext {
        guard value.signum > 0, value < nSquared else { throw PaillierError.ciphertextOutOfRange }
        guard BigInt.gcd(value, n) == 1 else { throw PaillierError.ciphertextNotUnit }
        return Ciphertext(value: value, keyID: id)
    }

    func checkKey(_ c: Ciphertext) throws {
        guard c.keyID == id else { throw PaillierError.keyMismatch(expected: id, found: c.keyID) }
    }

    // MARK: - Encryption (textbook form)

    /// (1 + n)^m = 1 + m·n mod n²: the binomial expansion stops after two terms.
    func plaintextPart(_ m: BigInt) -> BigInt { (m * n + 1).modulo(nSquared) }

    /// Textbook encryption c = (1 + n)^m · r^n mod n² with caller-chosen r ∈ Z*_n. For test
    /// vectors and interoperability; production code encrypts with `PaillierEncryptor`.
    public func encrypt(_ m: BigInt, randomness r: BigInt) throws -> Ciphertext {
        try checkPlaintext(m)
        guard r.signum > 0, r < n, BigInt.gcd(r, n) == 1 else { throw PaillierError.invalidRandomness }
        var c = plaintextPart(m)
        c.formProduct(r.powerSecret(n, modulus: nSquared), modulus: nSquared)
        return Ciphertext(value: c, keyID: id)
    }

    // MARK: - Homomorphic operations (Paillier 1999, §6)

    /// E(a) · E(b) = E(a + b mod n).
    public func add(_ a: Ciphertext, _ b: Ciphertext) throws -> Ciphertext {
        try checkKey(a); try checkKey(b)
        var c = a.value
        c.formProduct(b.value, modulus: nSquared)
        return Ciphertext(value: c, keyID: id)
    }

    /// The product of many ciphertexts: E(Σ mᵢ mod n).
    public func sum(_ cs: [Ciphertext]) throws -> Ciphertext {
        guard var acc = cs.first?.value else { return Ciphertext(value: BigInt(1), keyID: id) }
        try checkKey(cs[0])
        for c in cs.dropFirst() {
            try checkKey(c)
            acc.formProduct(c.value, modulus: nSquared)
        }
        return Ciphertext(value: acc, keyID: id)
    }

    /// E(m)^k = E(k·m mod n) for a public scalar k (negative k allowed: reduced mod n).
    public func multiply(_ a: Ciphertext, by k: BigInt) throws -> Ciphertext {
        try checkKey(a)
        return Ciphertext(value: a.value.power(k.modulo(n), modulus: nSquared), keyID: id)
    }

    /// E(m)^(−1) = E(−m mod n).
    public func negate(_ a: Ciphertext) throws -> Ciphertext {
        try checkKey(a)
        guard let inv = a.value.inverse(modulus: nSquared) else { throw PaillierError.ciphertextNotUnit }
        return Ciphertext(value: inv, keyID: id)
    }

    /// E(a − b mod n).
    public func subtract(_ a: Ciphertext, _ b: Ciphertext) throws -> Ciphertext {
        try add(a, try negate(b))
    }
}
