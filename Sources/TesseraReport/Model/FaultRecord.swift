import Foundation

/// A fault the simulation injected and what the federation did about it.
public struct FaultRecord: Codable, Sendable, Equatable {
    /// e.g. "dropout", "crash-restart", "replayed-message", "bad-proof".
    public var kind: String
    public var participant: String?
    public var round: Int?
    /// What happened, observed from outside.
    public var effect: String
    /// How the federation handled it (quorum still met, share rejected, round retried, …).
    public var handling: String

    public init(kind: String, participant: String? = nil, round: Int? = nil, effect: String, handling: String) {
        self.kind = kind
        self.participant = participant
        self.round = round
        self.effect = effect
        self.handling = handling
    }
}
