import TesseraCrypto

/// The public facts of a federation that every node checks messages against (loaded from
/// manifest.json by TesseraKeys).
public struct FederationInfo: Sendable {
    public struct Participant: Sendable, Hashable {
        public let id: String
        public let certificateFingerprint: String
        public let signingKey: VerifyingKey
        public let shareIndex: Int
        public init(id: String, certificateFingerprint: String, signingKey: VerifyingKey, shareIndex: Int) {
            self.id = id
            self.certificateFingerprint = certificateFingerprint
            self.signingKey = signingKey
            self.shareIndex = shareIndex
        }
    }

    public static let coordinatorID = "coordinator"
    public let name: String
    public let participants: [String: Participant]
    public let coordinatorFingerprint: String
    public let coordinatorKey: VerifyingKey
    public let thresholdKey: ThresholdPublicKey

    public init(name: String, participants: [Participant], coordinatorFingerprint: String,
                coordinatorKey: VerifyingKey, thresholdKey: ThresholdPublicKey) {
        self.name = name
        self.participants = Dictionary(uniqueKeysWithValues: participants.map { ($0.id, $0) })
        self.coordinatorFingerprint = coordinatorFingerprint
        self.coordinatorKey = coordinatorKey
        self.thresholdKey = thresholdKey
    }

    public var participantIDs: [String] { participants.keys.sorted() }

    public func participant(withFingerprint fingerprint: String) -> Participant? {
        participants.values.first { $0.certificateFingerprint == fingerprint }
    }

    public func signingKey(of sender: String) -> VerifyingKey? {
        sender == Self.coordinatorID ? coordinatorKey : participants[sender]?.signingKey
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
