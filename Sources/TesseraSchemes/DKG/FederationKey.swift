import Foundation
import TesseraGroup
import TesseraProtocol
import TesseraRandom

/// The federation's ElGamal key of one epoch, as the DKG left it: public, derivable by anyone
/// from the DKG messages in the transcript. Holder j (1-based, in the order of `holders`)
/// answers decryption requests with its share x_j; its verification key X_j comes from the
/// qualified dealers' summed Feldman commitments.
public struct FederationKey: Sendable {
    public let epoch: [UInt8]
    /// The DKG's holders in index order (holder j has index j + 1).
    public let holders: [String]
    /// The dealers whose dealing counts (QUAL), sorted.
    public let qualified: [String]
    public let threshold: Int
    public let publicKey: ElGamalPublicKey
    /// Σ_{i∈QUAL} A_{i,l,k}: aggregated[l][k].
    let aggregated: [[GroupElement]]

    public init(epoch: [UInt8], holders: [String], qualified: [String], threshold: Int, dealerCommitments: [[[GroupElement]]]) throws {
        guard !dealerCommitments.isEmpty else { throw ProtocolError(.internal, "a federation key needs at least one qualified dealing") }
        self.epoch = epoch
        self.holders = holders
        self.qualified = qualified.sorted()
        self.threshold = threshold
        let keys = dealerCommitments[0].count
        aggregated = (0..<keys).map { l in
            (0..<threshold).map { k in GroupElement.sum(dealerCommitments.lazy.map { $0[l][k] }) }
        }
        publicKey = try Dealing.publicKey([aggregated])
    }

    /// L: messages per ciphertext group.
    public var keys: Int { publicKey.count }

    /// BLAKE2b-256("tessera/federation-key/v1" ‖ epoch ‖ H₁ ‖ … ‖ H_L): what a job spec names.
    public var digest: [UInt8] { Self.digest(epoch: epoch, publicKey: publicKey) }

    public static func digest(epoch: [UInt8], publicKey: ElGamalPublicKey) -> [UInt8] {
        Blake2b.hash(Array("tessera/federation-key/v1".utf8) + epoch + publicKey.encoded, outputLength: 32)
    }

    /// Share index of a holder (1-based), nil for a participant that holds no share.
    public func index(of holder: String) -> Int? { holders.firstIndex(of: holder).map { $0 + 1 } }

    /// Holders who may answer decryption requests: the qualified ones (a holder disqualified
    /// as a dealer may hold a valid share, but is not trusted to answer).
    public var answering: [String] { qualified }

    public func verificationKey(of holder: String) throws -> ElGamalVerificationKey {
        guard let index = index(of: holder) else { throw ProtocolError(.invalidProof, "\(holder) holds no share of epoch \(epoch.hex)'s key") }
        return try Dealing.verificationKey(index: index, [aggregated])
    }

    /// The aggregated commitments, encoded (keys × threshold points), for storage.
    public var encodedCommitments: [UInt8] { Dealing.encode(commitments: aggregated) }

    /// Restores a key from its stored parts (the aggregated commitments).
    public init(epoch: [UInt8], holders: [String], qualified: [String], threshold: Int, keys: Int, encodedCommitments: [UInt8]) throws {
        let aggregated = try Dealing.decodeCommitments(encodedCommitments, keys: keys, threshold: threshold, dealer: 0)
        try self.init(epoch: epoch, holders: holders, qualified: qualified, threshold: threshold, dealerCommitments: [aggregated])
    }
}
