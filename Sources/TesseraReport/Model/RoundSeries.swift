import Foundation

/// A quantity tracked per round, e.g. k-means cost or logistic-regression AUC,
/// with one line per variant (federated, centralized reference, …).
public struct RoundSeries: Codable, Sendable, Equatable {
    public var title: String
    /// Label of the y axis, with its unit if any.
    public var quantity: String
    public var lines: [Line]

    public init(title: String, quantity: String, lines: [Line]) {
        self.title = title
        self.quantity = quantity
        self.lines = lines
    }

    public struct Line: Codable, Sendable, Equatable {
        public var label: String
        public var points: [Point]

        public init(label: String, points: [Point]) {
            self.label = label
            self.points = points
        }

        /// Values for rounds 1, 2, 3, ….
        public init(label: String, values: [Double]) {
            self.init(label: label, points: values.enumerated().map { Point(round: $0.offset + 1, value: $0.element) })
        }
    }

    public struct Point: Codable, Sendable, Equatable {
        public var round: Int
        public var value: Double

        public init(round: Int, value: Double) {
            self.round = round
            self.value = value
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(round, forKey: .round)
            try c.encodeRounded(value, forKey: .value)
        }
    }
}
