import TesseraMath
import TesseraRandom

/// Non-interactive proof that two discrete logarithms are equal: log_{g1} h1 = log_{g2} h2
/// in Z*_N for a hidden-order group (Chaum–Pedersen 1992 made non-interactive by Fiat–Shamir;
/// the integer variant for unknown order of Shoup 2000, §2.1, and Damgård–Jurik 2001, §4.1,
/// "Proof for equality of discrete logs").
///
/// Prover with witness w: r uniform in [0, 2^(|w| + 256 + 128)); a1 = g1^r, a2 = g2^r;
/// e = H(statement, a1, a2) as a 256-bit integer; z = r + e·w over the integers. The range of
/// r makes z statistically hide w (distance ≤ 2^−128). Verifier: recompute
/// a1 = g1^z · h1^(−e), a2 = g2^z · h2^(−e) and check e. H is BLAKE2b-256 (libsodium)
/// over a length-prefixed encoding with a domain separator and the context (key, holder),
/// so a proof for one holder, key or ciphertext does not verify for another.
public enum EqualityOfLogs {
    static let challengeBits = 256
    static let statisticalSecurity = 128

    public struct Statement: Sendable {
        public let modulus: BigInt
        public let g1: BigInt
        public let h1: BigInt
        public let g2: BigInt
        public let h2: BigInt
        public let context: [UInt8]
    }

    public struct Proof: Sendable, Hashable, Codable {
        public let challenge: BigInt
        public let response: BigInt
        public init(challenge: BigInt, response: BigInt) {
            self.challenge = challenge
            self.response = response
        }
    }

    static func context(keyID: KeyID, holder: Int) -> [UInt8] {
        Array("tessera/threshold-paillier/partial-decryption/v1".utf8) + keyID.bytes
            + withUnsafeBytes(of: UInt32(holder).bigEndian, Array.init)
    }

    static func challenge(_ s: Statement, _ a1: BigInt, _ a2: BigInt) -> BigInt {
        let width = (s.modulus.bitWidth + 7) / 8
        var input = Array("tessera/dleq/v1".utf8)
        input += PaillierPublicKey.lengthPrefixed(s.context)
        for x in [s.modulus, s.g1, s.h1, s.g2, s.h2, a1, a2] {
            input += PaillierPublicKey.lengthPrefixed(x.bigEndianBytes(length: width))
        }
        return BigInt(bigEndian: Blake2b.hash(input, outputLength: challengeBits / 8))
    }

    public static func prove<R: RandomSource>(_ s: Statement, witness: BigInt, witnessBits: Int,
                                              using rng: inout R) -> Proof {
        let r = BigInt.random(bits: witnessBits + challengeBits + statisticalSecurity, using: &rng)
        let a1 = s.g1.powerSecret(r, modulus: s.modulus)
        let a2 = s.g2.powerSecret(r, modulus: s.modulus)
        let e = challenge(s, a1, a2)
        return Proof(challenge: e, response: r + e * witness)
    }

    public static func verify(_ proof: Proof, for s: Statement) -> Bool {
        guard !proof.response.isNegative, !proof.challenge.isNegative,
              proof.challenge.bitWidth <= challengeBits,
              let h1Inverse = s.h1.inverse(modulus: s.modulus),
              let h2Inverse = s.h2.inverse(modulus: s.modulus) else { return false }
        var a1 = s.g1.power(proof.response, modulus: s.modulus)
        a1.formProduct(h1Inverse.power(proof.challenge, modulus: s.modulus), modulus: s.modulus)
        var a2 = s.g2.power(proof.response, modulus: s.modulus)
        a2.formProduct(h2Inverse.power(proof.challenge, modulus: s.modulus), modulus: s.modulus)
        return challenge(s, a1, a2) == proof.challenge
    }
}
