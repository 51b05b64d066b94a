import TesseraParallel
import TesseraRandom

/// The randomness r of one ciphertext group. Secret: whoever knows it can decrypt that group
/// (c2_l − r·H_l = m_l·G). Kept only to prove knowledge of it (`RandomnessProof`), then dropped.
public struct ElGamalRandomness: Sendable, CustomStringConvertible {
    public let scalar: Scalar

    public init(_ scalar: Scalar) { self.scalar = scalar }

    public var description: String { "ElGamalRandomness(redacted)" }
}

/// A participant's encrypted vector with the randomness of each group (for its proof).
public struct ElGamalEncryption: Sendable {
    public let ciphertexts: [ElGamalCiphertext]
    public let randomness: [ElGamalRandomness]
}

/// Encrypts groups of small messages under an `ElGamalPublicKey`: group g with messages
/// m_{g,1…n} (n ≤ L) and fresh r_g becomes (r_g·G, m_{g,l}·G + r_g·H_l) (exponential ElGamal,
/// ElGamal 1985 with the message in the exponent; one r per group as in Bellare–Boldyreva–
/// Staddon PKC 2003). Messages are < 2^52 so that sums of a round stay small enough for
/// `DiscreteLogTable`. Cost per group: one base multiplication for r·G, and per message one
/// base multiplication, one variable-base multiplication and one addition.
public struct ElGamalEncryptor: Sendable {
    /// Messages are in [0, messageLimit).
    public static let messageLimit: UInt64 = 1 << 52

    public let publicKey: ElGamalPublicKey

    public init(publicKey: ElGamalPublicKey) { self.publicKey = publicKey }

    /// One group under the given randomness (for known-answer vectors and tests).
    public func encrypt(_ messages: [UInt64], randomness: ElGamalRandomness, group: Int = 0) throws -> ElGamalCiphertext {
        try check(messages, group: group)
        return encryptUnchecked(messages, r: randomness.scalar)
    }

    /// Every group, in parallel over groups. Randomness: one 32-byte seed S is drawn from `rng`
    /// and group g (0-based) takes r_g = `Scalar.random` from
    /// `ChaCha20DRBG(S.derive("tessera/elgamal/encryption/v1/group/" + decimal(g)))`, so the
    /// result depends on `rng` and the messages only, never on the number of threads.
    public func encrypt<R: RandomSource>(_ groups: [[UInt64]], using rng: inout R,
                                         parallelism: Parallelism = .serial) async throws -> ElGamalEncryption {
        let seed = Seed(bytes: rng.bytes(32))
        return try await encrypt(groups, seed: seed, parallelism: parallelism)
    }

    /// As `encrypt(_:using:parallelism:)` with the seed given.
    public func encrypt(_ groups: [[UInt64]], seed: Seed, parallelism: Parallelism = .serial) async throws -> ElGamalEncryption {
        for (g, messages) in groups.enumerated() { try check(messages, group: g) }
        let results: [(ElGamalCiphertext, ElGamalRandomness)] = try await parallelism.map(each: groups.count) { g in
            var drbg = ChaCha20DRBG(seed: seed.derive(Self.groupLabel(g)))
            let r = Scalar.random(using: &drbg)
            return (self.encryptUnchecked(groups[g], r: r), ElGamalRandomness(r))
        }
        return ElGamalEncryption(ciphertexts: results.map(\.0), randomness: results.map(\.1))
    }

    static func groupLabel(_ g: Int) -> String { "tessera/elgamal/encryption/v1/group/\(g)" }

    private func check(_ messages: [UInt64], group: Int) throws {
        guard (1...publicKey.count).contains(messages.count) else {
            throw GroupError.invalidGroupSize(group: group, count: messages.count, keys: publicKey.count)
        }
        if let i = messages.firstIndex(where: { $0 >= Self.messageLimit }) {
            throw GroupError.messageOutOfRange(group: group, index: i, value: messages[i])
        }
    }

    /// No branch on the messages: m = 0 costs the same as any other value.
    private func encryptUnchecked(_ messages: [UInt64], r: Scalar) -> ElGamalCiphertext {
        let c2 = messages.enumerated().map { l, m in
            GroupElement.base(Scalar(m)) + publicKey.keys[l].multiplied(by: r)
        }
        return ElGamalCiphertext(c1: .base(r), c2: c2)
    }
}
