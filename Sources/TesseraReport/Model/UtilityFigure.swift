import Foundation

/// A utility metric of the federated result against the same computation run
/// centrally on the pooled plaintext data (the simulation's reference).
public struct UtilityFigure: Codable, Sendable, Equatable {
    public var metric: String
    public var federated: Double
    public var centralized: Double
    /// As the caller defines it for this metric (absolute or relative); shown as given.
    public var gap: Double
    /// The gap the scenario accepts, if it set one.
    public var target: Double?
    public var met: Bool?

    public init(metric: String, federated: Double, centralized: Double, gap: Double,
                target: Double? = nil, met: Bool? = nil) {
        self.metric = metric
        self.federated = federated
        self.centralized = centralized
        self.gap = gap
        self.target = target
        self.met = met
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric)
        try c.encodeRounded(federated, forKey: .federated)
        try c.encodeRounded(centralized, forKey: .centralized)
        try c.encodeRounded(gap, forKey: .gap)
        if let target { try c.encodeRounded(target, forKey: .target) }
        try c.encodeIfPresent(met, forKey: .met)
    }
}
