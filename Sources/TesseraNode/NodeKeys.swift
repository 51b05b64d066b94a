import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraProtocol
import TesseraTransport

/// A coordinator's credentials and the federation's public facts.
public struct CoordinatorNode: Sendable {
    public let federation: FederationInfo
    public let tls: TLSIdentity
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey
}

/// A principal's credentials: who it is and its TLS identity for the job API.
public struct PrincipalNode: Sendable {
    public let id: String
    public let role: String
    public let organisation: String
    public let federation: FederationInfo
    public let tls: TLSIdentity
    /// Signs what the principal decides itself (a steward's approvals).
    public let signingKey: SigningKey
}

/// A participant's credentials, Paillier key share and the federation's public facts.
public struct ParticipantNode: Sendable {
    public let id: String
    public let federation: FederationInfo
    public let tls: TLSIdentity
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey
    /// The participant's threshold Paillier share, opened from the installed dealing; nil
    /// for a participant outside the decryption committee, or when no dealing is installed.
    public let paillierShare: KeyShare?
}

/// Loads a node's keys: from its own node directory (`tessera keys request` + `install`) or
/// from a federation directory (the committed TEST federations). Every secret file must be
/// owner-only (mode 0600 or stricter): a node refuses to start otherwise, naming the file
/// and its mode.
public enum NodeKeys {
    public static func coordinator(directory: String) throws -> CoordinatorNode {
        let keys = try FederationKeys.load(directory: directory)
        let identity = try keys.coordinatorIdentity()
        return CoordinatorNode(federation: try keys.federationInfo,
                               tls: TLSIdentity(certificateChainPEM: identity.certificateChainPEM, privateKeyPEM: identity.privateKeyPEM,
                                                trustedCAPEM: keys.caCertificatePEM),
                               signingKey: identity.signingKey, sealingKey: identity.sealingKey)
    }

    /// A principal's credentials for the job API: from its node directory (the id is then
    /// the directory's own) or, with `id`, from a TEST federation directory.
    public static func principal(directory: String, id: String?) throws -> PrincipalNode {
        let keys = try FederationKeys.load(directory: directory)
        let ownID: String
        if let id { ownID = id } else {
            let request = try EnrollmentRequest.read(path: directory + "/" + KeyLayout.request)
            ownID = request.id
        }
        let identity = try keys.principalIdentity(ownID)
        let member = keys.manifest.member(ownID)!
        return PrincipalNode(id: ownID, role: member.role.rawValue, organisation: member.organisation ?? "", federation: try keys.federationInfo,
                             tls: TLSIdentity(certificateChainPEM: identity.certificateChainPEM, privateKeyPEM: identity.privateKeyPEM,
                                              trustedCAPEM: keys.caCertificatePEM),
                             signingKey: identity.signingKey)
    }

    public static func participant(directory: String, id: String) throws -> ParticipantNode {
        try participant(keys: try FederationKeys.load(directory: directory), id: id)
    }

    /// From a federation directory loaded once (many virtual participants in one process).
    public static func participant(keys: FederationKeys, id: String) throws -> ParticipantNode {
        let (identity, share) = try keys.participantIdentity(id)
        return ParticipantNode(id: id, federation: try keys.federationInfo,
                               tls: TLSIdentity(certificateChainPEM: identity.certificateChainPEM, privateKeyPEM: identity.privateKeyPEM,
                                                trustedCAPEM: keys.caCertificatePEM),
                               signingKey: identity.signingKey, sealingKey: identity.sealingKey, paillierShare: share)
    }
}
