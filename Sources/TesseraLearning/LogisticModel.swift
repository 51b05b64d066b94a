import Foundation

/// A logistic-regression model P(y = 1 | x) = σ(w·x + b), with the server optimizer's momentum
/// buffer (heavy-ball velocity over (w, b); zero when momentum is unused).
public struct LogisticModel: Codable, Sendable, Hashable {
    public var weights: [Double]
    public var bias: Double
    public var velocity: [Double]

    /// The all-zero model every job starts from (public, data-independent).
    public init(dimension: Int) {
        weights = [Double](repeating: 0, count: dimension)
        bias = 0
        velocity = [Double](repeating: 0, count: dimension + 1)
    }

    public init(weights: [Double], bias: Double) {
        self.weights = weights
        self.bias = bias
        velocity = [Double](repeating: 0, count: weights.count + 1)
    }

    /// w·x + b on an already clipped row.
    public func logit(_ x: [Double]) -> Double {
        var z = bias
        for j in weights.indices { z += weights[j] * x[j] }
        return z
    }

    public func probability(_ x: [Double]) -> Double { sigmoid(logit(x)) }
}

/// σ(z) = 1/(1 + e^−z), evaluated without overflow for either sign of z.
func sigmoid(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + exp(-z)) }
    let e = exp(z)
    return e / (1 + e)
}

/// log(1 + e^z) without overflow.
func softplus(_ z: Double) -> Double { max(z, 0) + log1p(exp(-abs(z))) }

/// Logistic loss −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y·z, in a stable form.
func logLoss(logit z: Double, label: Bool) -> Double { label ? softplus(-z) : softplus(z) }
