import TesseraProtocol

extension FederationKeys {
    /// The manifest and the Paillier dealing (if one is installed) as the protocol layer's
    /// `FederationInfo`. Refuses a manifest without a coordinator.
    public var federationInfo: FederationInfo {
        get throws {
            guard let coordinator = manifest.coordinator, let coordinatorFingerprint = coordinator.certFingerprint else {
                throw FederationKeysError.noCoordinator(manifest: manifestPath)
            }
            let index = Dictionary(uniqueKeysWithValues: (dealing?.shares ?? []).map { ($0.participant, $0.index) })
            return FederationInfo(
                name: manifest.federation,
                participants: manifest.participants.map {
                    .init(id: $0.id, certificateFingerprint: $0.certFingerprint ?? "", signingKey: $0.signingKey,
                          sealingKey: $0.sealingKey, shareIndex: index[$0.id] ?? 0)
                },
                coordinatorFingerprint: coordinatorFingerprint,
                coordinatorKey: coordinator.signingKey,
                epoch: epoch,
                holders: manifest.holders,
                keyThreshold: manifest.threshold,
                dealerKey: manifest.dealer?.signingKey,
                thresholdKey: paillierKey,
                principals: manifest.principals.map {
                    .init(id: $0.id, role: $0.role.rawValue, organisation: $0.organisation ?? "", certificateFingerprint: $0.certFingerprint ?? "",
                          signingKey: $0.signingKey)
                })
        }
    }
}
