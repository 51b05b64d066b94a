import Foundation
import TesseraCrypto
import TesseraMath

/// Fixed-width big-endian encodings of ciphertexts and partial decryptions on the wire.
public enum CiphertextCoding {
    /// Width in bytes of an element of Z_{n²}.
    public static func width(_ key: PaillierPublicKey) -> Int { (key.nSquared.bitWidth + 7) / 8 }

    public static func encode(_ c: Ciphertext, key: PaillierPublicKey) -> Data {
        Data(c.value.bigEndianBytes(length: width(key)))
    }

    /// Decodes and validates (0 < c < n², gcd(c, n) = 1); `index` names the offending item.
    public static func decode(_ data: Data, key: PaillierPublicKey, index: Int) throws -> Ciphertext {
        guard data.count == width(key) else {
            throw ProtocolError(.invalidCiphertext, "ciphertext \(index) has \(data.count) bytes, expected \(width(key))")
        }
        do {
            return try key.ciphertext(BigInt(bigEndian: data))
        } catch let error as PaillierError {
            throw ProtocolError(.invalidCiphertext, "ciphertext \(index): \(error)")
        }
    }

    public static func encode(_ p: PartialDecryption, key: PaillierPublicKey) -> Tessera_V1_PartialDecryption {
        var out = Tessera_V1_PartialDecryption()
        out.value = Data(p.value.bigEndianBytes(length: width(key)))
        out.challenge = Data(p.proof.challenge.bigEndianBytes())
        out.response = Data(p.proof.response.bigEndianBytes())
        return out
    }

    public static func decode(_ p: Tessera_V1_PartialDecryption, holder: Int, key: ThresholdPublicKey) throws -> PartialDecryption {
        guard p.value.count == width(key.paillier), p.challenge.count <= 32, p.response.count <= 2048 else {
            throw ProtocolError(.malformed, "partial decryption of holder \(holder) has fields of the wrong size")
        }
        return PartialDecryption(index: holder, keyID: key.id, value: BigInt(bigEndian: p.value),
                                 proof: .init(challenge: BigInt(bigEndian: p.challenge), response: BigInt(bigEndian: p.response)))
    }
}
