import Foundation
import TesseraCrypto
import TesseraGroup
import TesseraMath
import TesseraProtocol

/// The key material a node brings to its schemes: whatever of it this node holds.
public struct SchemeKeys: Sendable {
    /// This node's share of the dealt Paillier key (holders only).
    public var paillierShare: KeyShare?
    /// The federation's DKG keys this node knows, by epoch.
    public var federationKeys: [[UInt8]: FederationKey]
    /// This node's shares of them (holders only), by epoch.
    public var elgamalShares: [[UInt8]: ElGamalKeyShare]

    public init(paillierShare: KeyShare? = nil, federationKeys: [FederationKey] = [], elgamalShares: [[UInt8]: ElGamalKeyShare] = [:]) {
        self.paillierShare = paillierShare
        self.federationKeys = Dictionary(federationKeys.map { ($0.epoch, $0) }) { a, _ in a }
        self.elgamalShares = elgamalShares
    }

    public static let none = SchemeKeys()
}

/// The scheme-specific checks of a job spec, which every node applies before acting on it
/// (after `JobSpecRules.validate`), and the scheme they yield.
public enum SchemeRules {
    /// Validates the spec completely and returns its scheme, holding this node's keys.
    public static func scheme(for spec: Tessera_V1_JobSpec, federation: FederationInfo, keys: SchemeKeys = .none) throws -> Scheme {
        try JobSpecRules.validate(spec, federation: federation)
        switch spec.scheme {
        case PaillierScheme.name:
            return Scheme(try paillier(spec, federation: federation, keys: keys))
        case OneShotScheme.name:
            return Scheme(try oneShot(spec, federation: federation, keys: keys))
        default:
            throw ProtocolError(.refused, "aggregation scheme \(spec.scheme.debugDescription) is not available in this federation")
        }
    }

    static func oneShot(_ spec: Tessera_V1_JobSpec, federation: FederationInfo, keys: SchemeKeys) throws -> OneShotScheme {
        guard spec.hasOneShot else { throw ProtocolError(.malformed, "a one-shot job carries no one-shot parameters") }
        guard spec.paillierKeyID.isEmpty, spec.slotBits == 0, spec.slotsPerCiphertext == 0 else {
            throw ProtocolError(.malformed, "a one-shot job carries a Paillier packing plan or key")
        }
        let epoch = [UInt8](spec.oneShot.epoch)
        guard let key = keys.federationKeys[epoch] else {
            throw ProtocolError(.refused, "job uses the federation key of epoch \(epoch.hex), which this node does not hold (the DKG of that epoch did not complete here)")
        }
        guard [UInt8](spec.oneShot.keyDigest) == key.digest else {
            throw ProtocolError(.refused, "job names federation key \([UInt8](spec.oneShot.keyDigest).hex) for epoch \(epoch.hex); the DKG gave \(key.digest.hex)")
        }
        guard Int(spec.threshold) == key.threshold else {
            throw ProtocolError(.malformed, "job threshold \(spec.threshold) differs from the federation key's \(key.threshold)")
        }
        _ = try OneShotScheme.layout(spec, key: key)
        return OneShotScheme(key: key, share: keys.elgamalShares[epoch])
    }

    static func paillierKey(_ federation: FederationInfo) throws -> ThresholdPublicKey {
        guard let key = federation.thresholdKey else {
            throw ProtocolError(.refused, "federation \(federation.name) has no Paillier dealing installed (paillier-dealing.json): paillier jobs cannot run; use the one-shot scheme, which needs no dealer")
        }
        return key
    }

    static func paillier(_ spec: Tessera_V1_JobSpec, federation: FederationInfo, keys: SchemeKeys) throws -> PaillierScheme {
        let key = try paillierKey(federation)
        guard spec.paillierKeyID == Data(key.id.bytes) else {
            throw ProtocolError(.refused, "job uses Paillier key \([UInt8](spec.paillierKeyID).hex), not the federation's \(key.id)")
        }
        guard Int(spec.threshold) == key.threshold else {
            throw ProtocolError(.malformed, "job threshold \(spec.threshold) differs from the Paillier key's \(key.threshold)")
        }
        guard !spec.hasOneShot else { throw ProtocolError(.malformed, "a paillier job carries one-shot parameters") }
        _ = try PaillierScheme.plan(for: spec, key: key)
        let indices = Dictionary(uniqueKeysWithValues: federation.participants.values.filter { $0.shareIndex > 0 }.map { ($0.id, $0.shareIndex) })
        return PaillierScheme(key: key, shareIndex: indices, share: keys.paillierShare)
    }

    /// Fills a draft spec's scheme fields (coordinator, from a job file): the packing plan and
    /// key of the Paillier scheme, or the mask and key-layer parameters of the one-shot scheme.
    public static func complete(_ spec: inout Tessera_V1_JobSpec, federation: FederationInfo, federationKey: FederationKey? = nil) throws {
        switch spec.scheme {
        case PaillierScheme.name:
            let key = try paillierKey(federation)
            let plan = try BitWidthPlanner.plan(valueBound: spec.valueBound, noise: NoiseBound(value: spec.noiseBound, tailProbability: JobPrivacy.noiseTail),
                                                maxParticipants: spec.participants.count, plaintextBits: key.paillier.bits)
            spec.threshold = UInt32(key.threshold)
            spec.slotBits = UInt32(plan.slotBits)
            spec.slotsPerCiphertext = UInt32(plan.slotsPerPlaintext)
            spec.paillierKeyID = Data(key.id.bytes)
        case OneShotScheme.name:
            guard let federationKey else {
                throw ProtocolError(.refused, "a one-shot job needs the federation key of epoch \(federation.epoch.hex); its DKG has not completed")
            }
            spec.threshold = UInt32(federationKey.threshold)
            spec.oneShot = try OneShotScheme.parameters(for: spec, key: federationKey)
        default:
            throw ProtocolError(.refused, "aggregation scheme \(spec.scheme.debugDescription) is not available in this federation")
        }
    }
}
