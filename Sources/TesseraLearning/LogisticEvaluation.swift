/// How a model is evaluated across brands without revealing per-customer scores: each customer
/// adds `histogramWeight` to one bin of the histogram of its label, and its clipped, fixed-point
/// log-loss to a loss slot. AUC and mean log-loss are then computed from the noisy sums.
public struct EvaluationParameters: Codable, Sendable, Hashable {
    /// Number of equal-width bins of the predicted probability in [0, 1].
    public var bins: Int
    /// Integer each customer adds to its bin.
    public var histogramWeight: Int64
    /// Per-customer log-loss is clipped to [0, lossClip] nats.
    public var lossClip: Double
    /// Fixed-point scale of the loss slot; lossScale·lossClip ≈ histogramWeight balances the
    /// two parts of the sensitivity.
    public var lossScale: Int64

    public init(bins: Int = 50, histogramWeight: Int64 = 512, lossClip: Double = 8, lossScale: Int64 = 64) {
        self.bins = bins
        self.histogramWeight = histogramWeight
        self.lossClip = lossClip
        self.lossScale = lossScale
    }

    var lossFixedPoint: FixedPoint { FixedPoint(scale: lossScale) }

    /// Exact per-customer ‖v‖₂²: one bin (h²) plus round(lossScale · lossClip)².
    func perCustomerL2Squared() throws -> Int64 {
        guard bins >= 2, histogramWeight >= 1, lossScale >= 1,
              lossClip.isFinite, lossClip > 0, lossClip * Double(lossScale) < 0x1p30,
              histogramWeight < 1 << 30 else {
            throw LearningError("evaluation parameters out of range")
        }
        let l = lossFixedPoint.encode(lossClip)
        return histogramWeight * histogramWeight + l * l
    }
}

/// Metrics recovered from (noisy) evaluation sums.
public struct EvaluationResult: Codable, Sendable, Hashable {
    /// Noisy negative and positive counts per bin, clamped at 0.
    public let negatives: [Double]
    public let positives: [Double]
    /// AUC from the histograms, nil when either class is (noisily) empty.
    public let auc: Double?
    /// Mean clipped log-loss, nil when the (noisy) count is below one customer.
    public let meanLogLoss: Double?
    public var customers: Double { negatives.reduce(0, +) + positives.reduce(0, +) }
}

extension LogisticRegression {
    public var evaluationVectorLength: Int { 2 * parameters.evaluation.bins + 1 }

    /// Largest |value| one customer puts in any slot of the evaluation vector.
    public var evaluationMaxAbs: Int64 {
        let e = parameters.evaluation
        return max(e.histogramWeight, e.lossFixedPoint.encode(e.lossClip))
    }

    /// Bin of a probability: ⌊p·B⌋, with p = 1 in the last bin.
    public func bin(_ p: Double) -> Int {
        let b = parameters.evaluation.bins
        return min(max(Int(p * Double(b)), 0), b - 1)
    }

    /// One brand's evaluation vector: [negative histogram (B) | positive histogram (B) |
    /// Σ round(lossScale · min(ℓ, lossClip))].
    public func evaluationVector(rows: [[Double]], labels: [Bool], model: LogisticModel) -> [Int64] {
        precondition(rows.count == labels.count, "one label per row")
        checkModel(model)
        let e = parameters.evaluation
        var out = [Int64](repeating: 0, count: evaluationVectorLength)
        for (row, label) in zip(rows, labels) {
            precondition(row.count == parameters.dimension, "row dimension")
            let z = model.logit(parameters.box.clip(row))
            out[(label ? e.bins : 0) + bin(sigmoid(z))] += e.histogramWeight
            out[2 * e.bins] += e.lossFixedPoint.encode(min(logLoss(logit: z, label: label), e.lossClip))
        }
        return out
    }

    /// AUC and mean log-loss from summed (possibly noisy) evaluation vectors. Bin counts are
    /// clamped at 0 and the mean loss to [0, lossClip]: post-processing only.
    public func evaluate(sums: [Int64]) -> EvaluationResult {
        precondition(sums.count == evaluationVectorLength, "evaluation vector length")
        let e = parameters.evaluation
        let h = Double(e.histogramWeight)
        let neg = (0..<e.bins).map { max(Double(sums[$0]) / h, 0) }
        let pos = (0..<e.bins).map { max(Double(sums[e.bins + $0]) / h, 0) }
        let n = neg.reduce(0, +) + pos.reduce(0, +)
        let loss = n >= 1
            ? min(max(Double(sums[2 * e.bins]) / Double(e.lossScale) / n, 0), e.lossClip) : nil
        return EvaluationResult(negatives: neg, positives: pos,
                                auc: AUC.fromHistograms(negatives: neg, positives: pos), meanLogLoss: loss)
    }
}
