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

    public static func encode(_ batch: BatchPartialDecryption, key: PaillierPublicKey) -> Tessera_V1_PartialDecryptions {
        var out = Tessera_V1_PartialDecryptions()
        out.holderIndex = UInt32(batch.index)
        out.values = batch.values.map { Data($0.bigEndianBytes(length: width(key))) }
        out.challenge = Data(batch.proof.challenge.bigEndianBytes())
        out.response = Data(batch.proof.response.bigEndianBytes())
        return out
    }

    public static func decode(_ p: Tessera_V1_PartialDecryptions, key: ThresholdPublicKey) throws -> BatchPartialDecryption {
        let w = width(key.paillier)
        guard p.values.allSatisfy({ $0.count == w }), p.challenge.count <= 32, p.response.count <= 4096 else {
            throw ProtocolError(.malformed, "partial decryptions of holder \(p.holderIndex) have fields of the wrong size")
        }
        return BatchPartialDecryption(index: Int(p.holderIndex), keyID: key.id, values: p.values.map { BigInt(bigEndian: $0) },
                                      proof: .init(challenge: BigInt(bigEndian: p.challenge), response: BigInt(bigEndian: p.response)))
    }
}
