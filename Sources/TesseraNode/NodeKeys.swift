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
}

/// A participant's credentials, key share and the federation's public facts.
public struct ParticipantNode: Sendable {
    public let id: String
    public let federation: FederationInfo
    public let tls: TLSIdentity
    public let signingKey: SigningKey
    public let share: KeyShare
}

/// Loads a key directory written by `tessera keys init`.
public enum NodeKeys {
    public static func coordinator(directory: String) throws -> CoordinatorNode {
        let keys = try FederationKeys.load(directory: directory)
        let identity = try keys.coordinatorIdentity()
        return CoordinatorNode(federation: keys.federationInfo,
                               tls: TLSIdentity(certificateChainPEM: identity.certificateChainPEM, privateKeyPEM: identity.privateKeyPEM,
                                                trustedCAPEM: keys.caCertificatePEM),
                               signingKey: identity.signingKey)
    }

    public static func participant(directory: String, id: String) throws -> ParticipantNode {
        let keys = try FederationKeys.load(directory: directory)
        let (identity, share) = try keys.participantIdentity(id)
        return ParticipantNode(id: id, federation: keys.federationInfo,
                               tls: TLSIdentity(certificateChainPEM: identity.certificateChainPEM, privateKeyPEM: identity.privateKeyPEM,
                                                trustedCAPEM: keys.caCertificatePEM),
                               signingKey: identity.signingKey, share: share)
    }
}
