import TesseraProtocol

extension FederationKeys {
    /// The manifest as the protocol layer's `FederationInfo`.
    public var federationInfo: FederationInfo {
        FederationInfo(
            name: manifest.federation,
            participants: manifest.participants.map {
                .init(id: $0.id, certificateFingerprint: $0.certFingerprint, signingKey: $0.signingKey, shareIndex: $0.shareIndex)
            },
            coordinatorFingerprint: manifest.coordinator.certFingerprint,
            coordinatorKey: manifest.coordinator.signingKey,
            thresholdKey: thresholdKey)
    }
}
