import TesseraRandom

/// The public key of multi-key exponential ElGamal: L independent elements H₁…H_L, one per
/// message slot of a ciphertext group (Bellare–Boldyreva–Staddon, PKC 2003, "Randomness re-use
/// in multi-recipient encryption schemes": ElGamal stays IND-CPA when one randomness r is
/// shared across encryptions under independent keys, so a group of L messages costs one r·G
/// instead of L). In Tessera H_l = Σ_{i∈QUAL} A_{i,l,0} comes from the DKG (`Dealing`); nobody
/// holds the secret keys h_l, only their threshold shares (`ElGamalKeyShare`).
public struct ElGamalPublicKey: Sendable, Hashable {
    /// L in protocol v1.
    public static let defaultKeyCount = 8

    public let keys: [GroupElement]

    /// Refuses an empty key and identity components (an identity H_l would put m_l·G in clear).
    public init(keys: [GroupElement]) throws {
        guard !keys.isEmpty else { throw GroupError.invalidParameters("a public key has at least one component") }
        if let i = keys.firstIndex(where: \.isIdentity) { throw GroupError.invalidPoint(what: "public key component (identity)", index: i) }
        self.keys = keys
    }

    /// Decodes `count` concatenated components.
    public init<C: Collection>(encoded: C, count: Int) throws where C.Element == UInt8 {
        try self.init(keys: [GroupElement](concatenated: encoded, count: count, what: "public key component"))
    }

    /// L.
    public var count: Int { keys.count }

    public var encoded: [UInt8] { keys.concatenated }

    /// The first 16 bytes of H("tessera/elgamal/public-key/v1", [H₁ ‖ … ‖ H_L]): a short name
    /// for the key, for contexts and logs.
    public var keyID: [UInt8] {
        Array(Framing.hash512(domain: "tessera/elgamal/public-key/v1", [encoded]).prefix(16))
    }
}
