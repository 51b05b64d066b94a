/// The public parameters of a federated logistic-regression job, as carried by the job file.
public struct LogisticParameters: Codable, Sendable, Hashable {
    /// Feature dimension d (the bias is extra).
    public var dimension: Int
    /// Features are clipped to this box before use (prediction and training alike).
    public var box: FeatureBox
    /// Per-customer L2 clipping norm C of the (d+1)-dimensional update.
    public var clipNorm: Double
    public var fixedPoint: FixedPoint
    /// Each customer adds this integer to the count slot (default: the scale).
    public var countWeight: Int64
    /// Heavy-ball server momentum β in [0, 1); 0 is plain DP-FedAvg.
    public var momentum: Double
    public var evaluation: EvaluationParameters

    public init(dimension: Int, box: FeatureBox = FeatureBox(), clipNorm: Double = 1,
                fixedPoint: FixedPoint = FixedPoint(), countWeight: Int64? = nil, momentum: Double = 0,
                evaluation: EvaluationParameters = EvaluationParameters()) {
        self.dimension = dimension
        self.box = box
        self.clipNorm = clipNorm
        self.fixedPoint = fixedPoint
        self.countWeight = countWeight ?? fixedPoint.scale
        self.momentum = momentum
        self.evaluation = evaluation
    }
}

/// DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018, "Learning Differentially Private Recurrent
/// Language Models", Algorithm 1) with customers as the users: in a round, each customer's
/// update is one local gradient step at the current model, Δ = −∇ℓ(θ; x, y), clipped to
/// ‖Δ‖₂ ≤ C (per-example clipping, Abadi et al. 2016, "Deep Learning with Differential
/// Privacy", Algorithm 1); brands sum their customers' encoded updates, the coordinator sums
/// brands with noise, and the server adds the learning rate times the mean update. The
/// local learning rate of Algorithm 1 is folded into C and the server learning rate.
///
/// Algorithm 1 divides by a fixed or clamped denominator so that the released mean has
/// bounded sensitivity; here the sum and the count are released separately under noise, so
/// dividing by the noisy count is post-processing.
///
/// Vector layout: d weight-update sums, the bias-update sum, then count·w.
public struct LogisticRegression: Sendable {
    public let parameters: LogisticParameters
    /// Integer bound on Σ_j round(s·Δ_j)² over the d+1 update coordinates: ⌈(C·s + √(d+1)/2)²⌉,
    /// enforced exactly by `FixedPoint.encodeClipped`.
    public let updateL2Squared: Int64
    /// Exact per-customer bound on ‖v‖₂² of the whole contribution: `updateL2Squared` + w².
    public let perCustomerL2Squared: Int64
    /// Exact per-customer bound on ‖v‖₂² of `evaluationVector`.
    public let evaluationL2Squared: Int64

    public init(_ parameters: LogisticParameters) throws {
        let p = parameters
        guard p.dimension >= 1 else { throw LearningError("d must be positive") }
        try p.box.validate()
        try p.fixedPoint.validate()
        guard p.clipNorm.isFinite, p.clipNorm > 0 else { throw LearningError("clip norm must be positive") }
        guard p.countWeight >= 1 else { throw LearningError("count weight must be positive") }
        guard p.momentum.isFinite, p.momentum >= 0, p.momentum < 1 else {
            throw LearningError("momentum must be in [0, 1)")
        }
        guard p.clipNorm * Double(p.fixedPoint.scale) < 0x1p30,
              let u = p.fixedPoint.squaredL2BoundAfterRounding(clippedNorm: p.clipNorm, dimension: p.dimension + 1),
              let w2 = checkedMultiply(p.countWeight, p.countWeight),
              let total = checkedAdd(u, w2), total <= maximumSquaredBound else {
            throw LearningError("per-customer bound overflows 2^62")
        }
        self.parameters = p
        self.updateL2Squared = u
        self.perCustomerL2Squared = total
        self.evaluationL2Squared = try p.evaluation.perCustomerL2Squared()
    }

    public var vectorLength: Int { parameters.dimension + 2 }

    /// Largest |value| one customer puts in any slot, for the slot-width planner.
    public var perCustomerMaxAbs: Int64 {
        // |Δ_j| ≤ ‖Δ‖₂ ≤ C and rounding is monotone; the integer guard only shrinks values.
        max(parameters.fixedPoint.encode(parameters.clipNorm), parameters.countWeight)
    }

    /// One brand's local update: Σ over its customers of round(s · clip_C(−∇ℓ)) and w × count,
    /// with ∇ℓ = (σ(w·x+b) − y)·(x, 1) on the clipped row x.
    public func localUpdate(rows: [[Double]], labels: [Bool], model: LogisticModel) -> [Int64] {
        precondition(rows.count == labels.count, "one label per row")
        checkModel(model)
        let d = parameters.dimension
        var out = [Int64](repeating: 0, count: vectorLength)
        for (row, label) in zip(rows, labels) {
            precondition(row.count == d, "row dimension \(row.count) ≠ \(d)")
            let x = parameters.box.clip(row)
            let residual = (label ? 1 : 0) - model.probability(x)  // −∂ℓ/∂z
            let encoded = parameters.fixedPoint.encodeClipped(
                x.map { residual * $0 } + [residual], clipNorm: parameters.clipNorm, squaredBound: updateL2Squared)
            for j in 0...d { out[j] += encoded[j] }
            out[d + 1] += parameters.countWeight
        }
        return out
    }

    /// The noisy number of customers behind a sum vector (may be ≤ 0 under noise).
    public func noisyCount(sums: [Int64]) -> Double {
        precondition(sums.count == vectorLength, "sum vector length")
        return Double(sums[parameters.dimension + 1]) / Double(parameters.countWeight)
    }

    /// The server step: Δ̄ = Σ update / (s · max(noisy count, 1)); velocity ← β·velocity + Δ̄;
    /// θ ← θ + η·velocity (heavy-ball momentum, Polyak 1964; β = 0 is Algorithm 1's plain
    /// step). Pure post-processing of the noisy sums, so it costs no privacy, and it is
    /// defined for every integer input (a negative count divides by 1).
    public func decode(sums: [Int64], model: LogisticModel, learningRate: Double) -> LogisticModel {
        checkModel(model)
        let d = parameters.dimension
        let count = max(noisyCount(sums: sums), 1)
        let s = Double(parameters.fixedPoint.scale)
        var next = model
        for j in 0...d {
            next.velocity[j] = parameters.momentum * model.velocity[j] + Double(sums[j]) / (s * count)
        }
        for j in 0..<d { next.weights[j] += learningRate * next.velocity[j] }
        next.bias += learningRate * next.velocity[d]
        return next
    }

    /// Probabilities on clipped rows, as used for prediction and evaluation.
    public func probabilities(rows: [[Double]], model: LogisticModel) -> [Double] {
        checkModel(model)
        return rows.map { model.probability(parameters.box.clip($0)) }
    }

    func checkModel(_ model: LogisticModel) {
        precondition(model.weights.count == parameters.dimension
                     && model.velocity.count == parameters.dimension + 1, "model shape")
    }
}
