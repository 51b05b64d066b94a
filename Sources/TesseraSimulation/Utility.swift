import Foundation
import TesseraCoordinator
import TesseraData
import TesseraJobs
import TesseraLearning
import TesseraPrivacy
import TesseraProtocol
import TesseraRandom

/// What privacy cost in accuracy: each job's released (noised) result against the same
/// computation done centrally, in plaintext, on the union of the contributors' data. Only a
/// simulation can compute this (it holds every brand's synthetic data); a real federation never does.
struct UtilityReport: Codable {
    struct Figure: Codable {
        var metric: String
        var federated: Double
        var centralized: Double
        var gap: Double
        /// The largest gap the issue accepts, and how it states the target.
        var maxGap: Double?
        var target: String?
        var met: Bool? { maxGap.map { gap <= $0 + 1e-12 } }  // tolerance: 1 − 0.95 > 0.05 in binary
    }
    struct Series: Codable {
        var name: String
        var rounds: [Int]
        var federated: [Double]
        var centralized: Double?
    }
    struct Table: Codable {
        var title: String
        var columns: [String]
        var rows: [[String]]
    }
    var job: String
    var figures: [Figure] = []
    var series: [Series] = []
    var tables: [Table] = []
    var notes: [String] = []
    /// Result files written next to the report (e.g. the released profile as CSV and JSON).
    var files: [String: Data] = [:]

    enum CodingKeys: String, CodingKey { case job, figures, series, tables, notes }

    static func evaluate(job: JobDefinition, spec: Tessera_V1_JobSpec, results: [[Int64]], contributors: [String],
                         orders: [String: String], seed: UInt64, largeCellCustomers: Double = 100) throws -> UtilityReport? {
        let computation = try JobSpecRules.computation(spec)
        guard let last = results.last else { return nil }
        var report = UtilityReport(job: job.id)
        let inputs = contributors.compactMap { orders[$0] }.map { LocalInputs(vector: nil, ordersPath: $0) }
        let variance = (ExactRational(spec.noiseVariance)?.doubleValue ?? 0)
        let sigma = (variance * Double(contributors.count)).squareRoot()
        switch computation {
        case .vectorSum:
            return nil
        case .segmentProfile(let profile):
            let released = try SegmentProfile.decode(sums: last, spec: profile, noiseStandardDeviation: sigma, minimumCustomers: 20)
            report.files["\(job.id).profile.csv"] = Data(released.csv().utf8)
            report.files["\(job.id).profile.json"] = try released.json()
            let truth = try SegmentProfile.centralTable(try inputs.map { try $0.derivation(profile.features) }, spec: profile, capped: false)
            let comparison = ProfileComparison(released: released, truth: truth, largeCellCustomers: largeCellCustomers, tolerance: 0.05)
            for s in comparison.statistics {
                guard let within = s.fractionWithinTolerance else { continue }
                report.figures.append(Figure(metric: "\(s.name): share of cells with ≥ \(Int(largeCellCustomers)) customers within 5%", federated: within, centralized: 1,
                                             gap: 1 - within, maxGap: 0.05, target: "≥ 0.95 at ε = 1"))
                if let median = s.medianRelativeError {
                    report.notes.append("\(s.name): median relative error \(String(format: "%.2f", 100 * median))% over \(s.valuesCompared) released values")
                }
            }
            let customersBar = released.cells.compactMap(\.errorBars95).first?.customers ?? 0
            report.notes.append("\(comparison.suppressedCells) of \(released.cells.count) cells suppressed (noised customer count under 20); 95% error bar on customers ±\(String(format: "%.1f", customersBar))")
            // The error bars describe the noise only, so they are checked against the capped
            // computation (the truth the noise was added to); about 95% should cover it.
            let capped = try SegmentProfile.centralTable(try inputs.map { try $0.derivation(profile.features) }, spec: profile, capped: true)
            if let coverage = ProfileComparison.errorBarCoverage(released: released, capped: capped) {
                report.notes.append("released values within their 95% error bar of the capped (noise-free) computation: \(String(format: "%.1f", 100 * coverage))%")
            }
            // Released values with their 95% error bars, next to the (uncapped) truth.
            func pm(_ x: Double?, _ bar: Double?) -> String {
                guard let x else { return "" }
                return String(format: "%.0f", x) + (bar.map { String(format: " ± %.0f", $0) } ?? "")
            }
            let rows = zip(released.cells, truth.cells).sorted { ($0.1.customers ?? 0) > ($1.1.customers ?? 0) }.map { r, t -> [String] in
                let e = r.errorBars95
                return [r.stage.rawValue, r.tier.rawValue, r.region,
                        r.suppressed ? "suppressed" : pm(r.customers, e?.customers), String(format: "%.0f", t.customers ?? 0),
                        pm(r.orders, e?.orders), String(format: "%.0f", t.orders ?? 0),
                        pm(r.spend, e?.spend), String(format: "%.0f", t.spend ?? 0),
                        r.suppressed ? "" : (r.churn ?? []).map { String(format: "%.0f", $0) }.joined(separator: "/") + (e.map { String(format: " (± %.0f each)", $0.churn) } ?? "")]
            }
            report.tables.append(Table(title: "Segment profile (released, noised, with 95% error bars; largest true cells first)",
                                       columns: ["stage", "tier", "region", "customers", "true", "orders", "true", "spend", "true", "churn g/y/r"], rows: rows))
        case .kmeans(let k):
            let model = try k.kmeans()
            let rows = try inputs.flatMap { try $0.featureRows(k.features) }
            let initial = try k.centroids(after: [])
            // Centralized k-means: Lloyd to convergence from the same public start, and the best
            // of three k-means++ restarts (Arthur–Vassilvitskii 2007); the better one is the bar.
            let lloyd = model.cost(rows: rows, centroids: model.baselineLloyd(rows: rows, initial: initial, maxIterations: 50))
            let plusplus = model.cost(rows: rows, centroids: model.baselineKMeansPlusPlus(rows: rows, restarts: 3, seed: Seed(seed), maxIterations: 50))
            let central = min(lloyd, plusplus)
            report.notes.append("centralized cost: Lloyd from the same public start \(String(format: "%.5g", lloyd)), best of 3 k-means++ \(String(format: "%.5g", plusplus))")
            var costs: [Double] = []
            for r in 1...results.count { costs.append(model.cost(rows: rows, centroids: try k.centroids(after: Array(results[0..<r])))) }
            let final = costs.last!
            let gap = KMeans.relativeCostGap(cost: final, baseline: central)
            report.figures.append(Figure(metric: "k-means cost (Σ squared distances)", federated: final, centralized: central, gap: gap,
                                         maxGap: 0.05, target: "within 5% at ε = 4"))
            report.series.append(Series(name: "k-means cost after each round", rounds: Array(1...results.count), federated: costs, centralized: central))
            let centroids = try k.centroids(after: results)
            let counts = model.noisyCounts(sums: last)
            let descriptions = model.describe(centroids: centroids, counts: counts, featureNames: FeatureMatrix.columns)
            report.tables.append(Table(title: "Segments (federated centroids)", columns: ["segment", "customers (noised)", "description"],
                                       rows: descriptions.map { ["\($0.cluster + 1)", String(format: "%.0f", $0.customers), $0.summary] }))
        case .logreg(let l):
            let model = try l.regression()
            let data = try inputs.map { try $0.propensity(l) }
            let rows = data.flatMap(\.rows), labels = data.flatMap(\.labels)
            let final = try l.model(after: results)
            let federatedAUC = AUC.exact(scores: model.probabilities(rows: rows, model: final), labels: labels) ?? .nan
            let baseline = model.baselineFit(rows: rows, labels: labels)
            let centralAUC = AUC.exact(scores: model.probabilities(rows: rows, model: baseline), labels: labels) ?? .nan
            report.figures.append(Figure(metric: "AUC of the repurchase-within-\(l.horizonDays)-days model", federated: federatedAUC,
                                         centralized: centralAUC, gap: centralAUC - federatedAUC, maxGap: 0.02, target: "within 0.02 at ε = 8"))
            let released = try results.map { try l.evaluation(of: $0).auc ?? .nan }
            report.series.append(Series(name: "AUC released each round (noised histograms, model at the round's start)",
                                        rounds: Array(1...results.count), federated: released, centralized: centralAUC))
            let losses = try results.map { try l.evaluation(of: $0).meanLogLoss ?? .nan }
            report.series.append(Series(name: "mean log-loss released each round (clipped at \(l.model.evaluation.lossClip) nats)",
                                        rounds: Array(1...results.count), federated: losses, centralized: nil))
            report.tables.append(Table(title: "Federated model", columns: ["feature", "weight"],
                                       rows: zip(FeatureMatrix.columns + ["bias"], final.weights + [final.bias]).map { [$0, String(format: "%+.3f", $1)] }))
        }
        return report
    }
}
