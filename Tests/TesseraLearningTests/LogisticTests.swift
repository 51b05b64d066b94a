import Foundation
import Testing
import TesseraRandom
@testable import TesseraLearning

private let trueWeights = [4.0, -3.0, 2.0, 0.0, -1.5]
private let trueBias = -0.5

private func train(_ lr: LogisticRegression, _ rows: [[[Double]]], _ labels: [[Bool]], rounds: Int,
                   learningRate: Double, noiseSigma: Double = 0, noise: inout Synthetic) -> LogisticModel {
    var model = LogisticModel(dimension: lr.parameters.dimension)
    for _ in 0..<rounds {
        var s = sum(zip(rows, labels).map { lr.localUpdate(rows: $0.0, labels: $0.1, model: model) })
        if noiseSigma > 0 { s = noise.noisy(s, sigma: noiseSigma) }
        model = lr.decode(sums: s, model: model, learningRate: learningRate)
    }
    return model
}

@Test func fedAvgReachesCentralizedAUCWithAndWithoutNoise() throws {
    var gen = Synthetic(seed: 201)
    let (rows, labels) = gen.logistic(count: 3000, weights: trueWeights, bias: trueBias)
    let lr = try LogisticRegression(LogisticParameters(dimension: 5, clipNorm: 1, momentum: 0.5))
    let baseline = lr.baselineFit(rows: rows, labels: labels)
    let baselineAUC = AUC.exact(scores: lr.probabilities(rows: rows, model: baseline), labels: labels)!
    let parts = brands(rows, count: 3), partLabels = brands(labels, count: 3)

    let clean = train(lr, parts, partLabels, rounds: 150, learningRate: 2, noise: &gen)
    let cleanAUC = AUC.exact(scores: lr.probabilities(rows: rows, model: clean), labels: labels)!
    #expect(baselineAUC > 0.75, "the synthetic task should be learnable: \(baselineAUC)")
    #expect(abs(cleanAUC - baselineAUC) < 0.02, "clean \(cleanAUC) vs baseline \(baselineAUC)")

    // Noise multiplier 50 on every round's sum (σ = 50 × per-customer L2 sensitivity): 150
    // Gaussian releases then cost ρ = 150/(2·50²) = 0.03 zCDP, ε ≈ 1.3 at δ = 1e-6
    // (Bun & Steinke 2016, Propositions 1.3 and 1.6).
    let sigma = 50 * Double(lr.perCustomerL2Squared).squareRoot()
    let noisy = train(lr, parts, partLabels, rounds: 150, learningRate: 2, noiseSigma: sigma, noise: &gen)
    let noisyAUC = AUC.exact(scores: lr.probabilities(rows: rows, model: noisy), labels: labels)!
    #expect(abs(noisyAUC - baselineAUC) < 0.03, "noisy \(noisyAUC) vs baseline \(baselineAUC)")
}

@Test func logisticBrandUpdatesSumToUnionUpdate() throws {
    var gen = Synthetic(seed: 202)
    let (rows, labels) = gen.logistic(count: 500, weights: trueWeights, bias: trueBias)
    let lr = try LogisticRegression(LogisticParameters(dimension: 5, clipNorm: 0.5))
    let model = LogisticModel(weights: [1, -1, 0.5, 0, 2], bias: 0.3)
    let union = lr.localUpdate(rows: rows, labels: labels, model: model)
    let parts = zip(brands(rows, count: 4), brands(labels, count: 4)).map {
        lr.localUpdate(rows: $0.0, labels: $0.1, model: model)
    }
    #expect(sum(parts) == union)
    #expect(lr.noisyCount(sums: union) == 500)
    let evalParts = zip(brands(rows, count: 4), brands(labels, count: 4)).map {
        lr.evaluationVector(rows: $0.0, labels: $0.1, model: model)
    }
    #expect(sum(evalParts) == lr.evaluationVector(rows: rows, labels: labels, model: model))
}

@Test func logisticSensitivityBoundHoldsOnExtremeRows() throws {
    let d = 3
    for (clip, scale) in [(1.0, Int64(1 << 16)), (0.37, Int64(1000)), (2.5, Int64(3))] {
        let lr = try LogisticRegression(LogisticParameters(dimension: d, box: FeatureBox(lower: -2, upper: 1),
                                                           clipNorm: clip, fixedPoint: FixedPoint(scale: scale)))
        // The integer bound covers the real one, (C·s + √(d+1)/2)².
        let real = clip * Double(scale) + Double(d + 1).squareRoot() / 2
        #expect(Double(lr.updateL2Squared) >= real * real)
        let extremes = [-2.0, 1, -.infinity, .infinity, .nan, 0.3, -1e300]
        var rows: [[Double]] = []
        for code in 0..<Int(pow(Double(extremes.count), Double(d))) {
            var c = code
            rows.append((0..<d).map { _ in defer { c /= extremes.count }; return extremes[c % extremes.count] })
        }
        let models = [LogisticModel(dimension: d), LogisticModel(weights: [50, -50, 50], bias: -50),
                      LogisticModel(weights: [1e6, 1e6, 1e6], bias: 1e6)]
        var largest: Int64 = 0
        for model in models {
            for row in rows {
                for label in [false, true] {
                    let v = lr.localUpdate(rows: [row], labels: [label], model: model)
                    largest = max(largest, squaredNorm(v))
                    #expect(squaredNorm(v) <= lr.perCustomerL2Squared)
                    #expect(v.allSatisfy { abs($0) <= lr.perCustomerMaxAbs })
                    let e = lr.evaluationVector(rows: [row], labels: [label], model: model)
                    #expect(squaredNorm(e) <= lr.evaluationL2Squared)
                    #expect(e.allSatisfy { abs($0) <= lr.evaluationMaxAbs })
                }
            }
        }
        // Saturated residuals at a corner reach the clip norm: the bound is nearly tight.
        let w2 = lr.parameters.countWeight * lr.parameters.countWeight
        #expect(Double(largest - w2) >= Double(lr.updateL2Squared) * 0.9 - 4)
    }
}

@Test func encodeClippedRespectsTheRoundedBoundOnRandomDirections() {
    var gen = Synthetic(seed: 203)
    let fp = FixedPoint(scale: 7)  // coarse scale: rounding error is large relative to C·s
    for d in [1, 2, 5, 20] {
        let bound = fp.squaredL2BoundAfterRounding(clippedNorm: 0.9, dimension: d)!
        for _ in 0..<2000 {
            let v = (0..<d).map { _ in gen.normal() * 10 }
            // The arithmetic, not the guard: plain clipping and rounding already meets the bound
            // (encodeClipped's correction loop would hide a wrong bound).
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let plain = v.map { fp.encode($0 * min(1, 0.9 / norm)) }
            #expect(squaredNorm(plain) <= bound)
            #expect(fp.encodeClipped(v, clipNorm: 0.9, squaredBound: bound) == plain)
        }
    }
    // The guard itself: an artificially tight bound is enforced exactly.
    let e = fp.encodeClipped([0.5, 0.5, 0.5], clipNorm: 10, squaredBound: 20)
    #expect(squaredNorm(e) <= 20)
    #expect(fp.encode(0.5 / 7) == 1 && fp.encode(-0.5 / 7) == -1 && fp.encode(0.49 / 7) == 0)
}

@Test func histogramAUCAndLossMatchExactWithinBinResolution() throws {
    var gen = Synthetic(seed: 204)
    let (rows, labels) = gen.logistic(count: 4000, weights: trueWeights, bias: trueBias)
    for bins in [10, 50, 200] {
        let lr = try LogisticRegression(LogisticParameters(
            dimension: 5, evaluation: EvaluationParameters(bins: bins)))
        let model = lr.baselineFit(rows: rows, labels: labels)
        let scores = lr.probabilities(rows: rows, model: model)
        let exact = AUC.exact(scores: scores, labels: labels)!
        let sums = sum(zip(brands(rows, count: 3), brands(labels, count: 3)).map {
            lr.evaluationVector(rows: $0.0, labels: $0.1, model: model)
        })
        let result = lr.evaluate(sums: sums)
        #expect(result.customers == 4000)
        // Only pairs sharing a bin can be scored differently, each by at most 1/2.
        let sameBin = zip(result.negatives, result.positives).reduce(0) { $0 + $1.0 * $1.1 }
        let p = Double(labels.filter { $0 }.count), n = 4000 - p
        #expect(abs(result.auc! - exact) <= sameBin / (2 * p * n) + 1e-12)
        // Log-loss: per-customer rounding error at most 1/(2·lossScale).
        let exactLoss = zip(rows, labels).reduce(0.0) {
            $0 + min(logLoss(logit: model.logit(lr.parameters.box.clip($1.0)), label: $1.1), 8)
        } / 4000
        #expect(abs(result.meanLogLoss! - exactLoss) <= 1.0 / 128 + 1e-12)
        if bins == 200 { #expect(abs(result.auc! - exact) < 0.002) }
    }
}

@Test func decodersSurviveNegativeCounts() throws {
    let lr = try LogisticRegression(LogisticParameters(dimension: 2, fixedPoint: FixedPoint(scale: 10),
                                                       momentum: 0.9,
                                                       evaluation: EvaluationParameters(bins: 4, histogramWeight: 2)))
    let model = LogisticModel(weights: [0.5, -0.5], bias: 0.1)
    // Count slot −35 (−3.5 customers): divide by 1, not by a negative number.
    let next = lr.decode(sums: [20, -10, 0, -35], model: model, learningRate: 0.5)
    #expect(next.weights == [0.5 + 0.5 * 2, -0.5 - 0.5 * 1])
    #expect(next.bias == 0.1)
    let again = lr.decode(sums: [0, 0, 0, 100], model: next, learningRate: 0.5)
    #expect(again.weights[0] == next.weights[0] + 0.5 * 0.9 * 2)  // momentum carries on
    let extreme = lr.decode(sums: [.max, .min, .max, .min], model: model, learningRate: 1)
    #expect(extreme.weights.allSatisfy(\.isFinite) && extreme.bias.isFinite)

    // Evaluation: negative bins clamp to 0; an all-negative histogram gives no AUC and no loss.
    let r = lr.evaluate(sums: [-4, 2, 6, -2, 2, -8, 0, 10, -500])
    #expect(r.negatives == [0, 1, 3, 0] && r.positives == [1, 0, 0, 5])
    let expectedAUC: Double = 20.0 / 24.0  // 5 positives above all 4 negatives, 1 below all
    #expect(r.auc == expectedAUC)
    #expect(r.meanLogLoss == 0)
    let empty = lr.evaluate(sums: [-4, -2, -6, -2, -2, -8, 0, -10, 77])
    #expect(empty.auc == nil && empty.meanLogLoss == nil && empty.customers == 0)
}

@Test func exactAUCOnKnownCases() {
    // Classic example: one of four (positive, negative) pairs is misordered.
    #expect(AUC.exact(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
    #expect(AUC.exact(scores: [0.5, 0.5], labels: [false, true]) == 0.5)
    #expect(AUC.exact(scores: [3, 1, 2], labels: [true, false, true]) == 1)
    #expect(AUC.exact(scores: [1, 2], labels: [true, true]) == nil)
    // Histogram form equals the exact form when every score has its own bin.
    #expect(AUC.fromHistograms(negatives: [1, 1, 0, 0], positives: [0, 0, 1, 1]) == 1)
}

@Test func baselineIsAStationaryPointAndBeatsTrueModelLoss() throws {
    var gen = Synthetic(seed: 205)
    let (rows, labels) = gen.logistic(count: 5000, weights: trueWeights, bias: trueBias)
    let lr = try LogisticRegression(LogisticParameters(dimension: 5))
    let fit = lr.baselineFit(rows: rows, labels: labels)
    func meanLoss(_ m: LogisticModel) -> Double {
        zip(rows, labels).reduce(0) { $0 + logLoss(logit: m.logit($1.0), label: $1.1) } / 5000
    }
    #expect(meanLoss(fit) <= meanLoss(LogisticModel(weights: trueWeights, bias: trueBias)))
    for (w, t) in zip(fit.weights, trueWeights) { #expect(abs(w - t) < 0.6, "\(fit.weights)") }
    let decoded = try JSONDecoder().decode(LogisticModel.self, from: JSONEncoder().encode(fit))
    #expect(decoded == fit)
    let p = LogisticParameters(dimension: 5, clipNorm: 0.25, momentum: 0.9)
    #expect(try JSONDecoder().decode(LogisticParameters.self, from: JSONEncoder().encode(p)) == p)
    #expect(throws: LearningError.self) { try LogisticRegression(LogisticParameters(dimension: 2, momentum: 1)) }
    #expect(throws: LearningError.self) { try LogisticRegression(LogisticParameters(dimension: 2, clipNorm: 0)) }
}
