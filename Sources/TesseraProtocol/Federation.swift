import TesseraCrypto

/// The public facts of a federation that every node checks messages against (loaded from
/// the CA-signed manifest.json, and the Paillier dealing, by TesseraKeys).
public struct FederationInfo: Sendable {
    public struct Participant: Sendable, Hashable {
        public let id: String
        public let certificateFingerprint: String
        public let signingKey: VerifyingKey
        /// The participant's X25519 key: what others seal messages to.
        public let sealingKey: SealingPublicKey
        /// The participant's threshold-Paillier share index (1...holders) in the dealing;
        /// 0 for a participant outside the decryption committee.
        public let shareIndex: Int
        public init(id: String, certificateFingerprint: String, signingKey: VerifyingKey, sealingKey: SealingPublicKey,
                    shareIndex: Int) {
            self.id = id
            self.certificateFingerprint = certificateFingerprint
            self.signingKey = signingKey
            self.sealingKey = sealingKey
            self.shareIndex = shareIndex
        }
    }

    /// A user of the coordinator's job API (protocol/access.md): never a protocol peer.
    public struct Principal: Sendable, Hashable {
        public let id: String
        /// "operator", "analyst", "steward" or "auditor".
        public let role: String
        /// "platform", a participant's id (a steward's brand), or another organisation.
        public let organisation: String
        public let certificateFingerprint: String
        /// Verifies what the principal signs itself (a steward's decisions); nil in fixtures.
        public let signingKey: VerifyingKey?
        public init(id: String, role: String, organisation: String, certificateFingerprint: String, signingKey: VerifyingKey? = nil) {
            self.id = id
            self.role = role
            self.organisation = organisation
            self.certificateFingerprint = certificateFingerprint
            self.signingKey = signingKey
        }
    }

    public static let coordinatorID = "coordinator"
    public let name: String
    /// The job API's principals, by id.
    public let principals: [String: Principal]
    public let participants: [String: Participant]
    public let coordinatorFingerprint: String
    public let coordinatorKey: VerifyingKey
    /// The federation's epoch (16 bytes): BLAKE2b of the signed manifest (protocol/README.md §7).
    public let epoch: [UInt8]
    /// The decryption holders, sorted: the manifest's committee, or every participant.
    public let holders: [String]
    /// t of the federation's decryption key among `holders` (the manifest's threshold).
    public let keyThreshold: Int
    /// The Paillier dealer's signing key, if the manifest has a dealer.
    public let dealerKey: VerifyingKey?
    /// The dealt threshold Paillier key, if a dealing is installed (the one-shot scheme needs none).
    public let thresholdKey: ThresholdPublicKey?

    public init(name: String, participants: [Participant], coordinatorFingerprint: String,
                coordinatorKey: VerifyingKey, epoch: [UInt8], holders: [String], keyThreshold: Int,
                dealerKey: VerifyingKey?, thresholdKey: ThresholdPublicKey?, principals: [Principal] = []) {
        self.name = name
        self.principals = Dictionary(uniqueKeysWithValues: principals.map { ($0.id, $0) })
        self.participants = Dictionary(uniqueKeysWithValues: participants.map { ($0.id, $0) })
        self.coordinatorFingerprint = coordinatorFingerprint
        self.coordinatorKey = coordinatorKey
        self.epoch = epoch
        self.holders = holders.sorted()
        self.keyThreshold = keyThreshold
        self.dealerKey = dealerKey
        self.thresholdKey = thresholdKey
    }

    public var participantIDs: [String] { participants.keys.sorted() }

    public func participant(withFingerprint fingerprint: String) -> Participant? {
        participants.values.first { $0.certificateFingerprint == fingerprint }
    }

    public func principal(withFingerprint fingerprint: String) -> Principal? {
        principals.values.first { $0.certificateFingerprint == fingerprint }
    }

    public func signingKey(of sender: String) -> VerifyingKey? {
        sender == Self.coordinatorID ? coordinatorKey : participants[sender]?.signingKey ?? principals[sender]?.signingKey
    }
}

extension SignedEnvelope {
    /// Opens an envelope that must come from `expectedSender` (the authenticated TLS peer):
    /// a different `sender` field is an identity mismatch, whatever its signature.
    public static func open(_ envelope: Tessera_V1_Envelope, expectedSender: String,
                            federation: FederationInfo) throws -> Tessera_V1_Body {
        let body = try open(envelope) { sender in
            sender == expectedSender ? federation.signingKey(of: sender) : VerifyingKey?.none
        }
        return body
    }
}
