import Foundation
import Testing
import TesseraData
import TesseraLearning
@testable import TesseraJobs

/// The jobs layer: parameters round-trip through canonical JSON, every kind's shape and
/// per-customer bound follow from its parameters, and multi-round state (centroids, models)
/// is a function of the released sums only.
@Suite struct JobComputationTests {
    static let dimension = FeatureMatrix.columns.count

    func brandOrders(_ customers: Int, seed: UInt64) throws -> String {
        let dir = NSTemporaryDirectory() + "tessera-jobs-\(UUID().uuidString)"
        return try SyntheticBrands(brands: 1, customersPerBrand: customers, seed: seed).write(to: dir)[0].path
    }

    @Test func unknownKindsAndBadParametersAreNamed() {
        #expect(throws: JobError.self) { try JobComputation(kind: "pagerank", parameters: "") }
        #expect((try? JobComputation(kind: "kmeans", parameters: "{\"model\": 3}")) == nil)
        #expect((try? JobComputation(kind: "vector-sum", parameters: "{\"k\": 3}")) == nil)
    }

    @Test func parametersRoundTripCanonically() throws {
        let job = KMeansJob(model: KMeansParameters(clusters: 4, dimension: Self.dimension), initSeed: 7)
        let original = JobComputation.kmeans(job)
        let again = try JobComputation(kind: "kmeans", parameters: original.canonicalParameters)
        #expect(again.canonicalParameters == original.canonicalParameters)
        #expect(again.vectorLength == 4 * (Self.dimension + 1))
        let bound = try #require(again.perCustomerL2Bound), squared = try #require(again.perCustomerL2Squared)
        #expect(bound * bound >= squared && (bound - 1) * (bound - 1) < squared)
    }

    @Test func kmeansRoundsFollowTheReleasedSums() throws {
        let inputs = LocalInputs(vector: nil, ordersPath: try brandOrders(300, seed: 5))
        let job = KMeansJob(model: KMeansParameters(clusters: 3, dimension: Self.dimension), initSeed: 1)
        let computation = JobComputation.kmeans(job)
        let first = try computation.update(round: 1, previous: [], inputs: inputs)
        #expect(first.count == computation.vectorLength)
        // Round 2 assigns to the centroids decoded from round 1's sums, so it differs from round 1
        // unless Lloyd has converged, and it is reproducible.
        let second = try computation.update(round: 2, previous: [first], inputs: inputs)
        #expect(second == (try computation.update(round: 2, previous: [first], inputs: inputs)))
        #expect(try job.centroids(after: [first]) != job.centroids(after: []))
        // The customer count slots add up to the brand's customers with orders.
        let k = try job.kmeans()
        let counted = k.noisyCounts(sums: first).reduce(0, +)
        #expect(Int(counted) == (try inputs.featureRows(job.features)).count)
        #expect(throws: JobError.self) { try computation.update(round: 3, previous: [first], inputs: inputs) }
    }

    @Test func logregUpdatesCarryTheEvaluationOfTheCurrentModel() throws {
        let inputs = LocalInputs(vector: nil, ordersPath: try brandOrders(400, seed: 9))
        let job = LogisticJob(model: LogisticParameters(dimension: Self.dimension), learningRate: 1, horizonDays: 90)
        let computation = JobComputation.logreg(job)
        let first = try computation.update(round: 1, previous: [], inputs: inputs)
        #expect(first.count == computation.vectorLength)
        let evaluation = try job.evaluation(of: first)
        #expect(Int(evaluation.customers.rounded()) == (try inputs.propensity(job)).rows.count)
        let model = try job.model(after: [first])
        #expect(model != (try job.model(after: [])))
    }

    @Test func segmentProfileNeedsOrders() throws {
        let computation = try JobComputation(kind: "segment-profile", parameters: "")
        #expect(throws: JobError.self) { try computation.update(round: 1, previous: [], inputs: LocalInputs(vector: [1], ordersPath: nil)) }
        let v = try computation.update(round: 1, previous: [], inputs: LocalInputs(vector: nil, ordersPath: try brandOrders(200, seed: 2)))
        #expect(v.count == computation.vectorLength)
    }

    /// Job files name only what they change: the object is laid over the kind's defaults.
    @Test func parametersOverlayTheKindsDefaults() throws {
        let overlay = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"model": {"clusters": 3, "fixedPoint": {"scale": 1024}}}"#.utf8))
        guard case .kmeans(let job) = try JobComputation(kind: "kmeans", parameters: overlay) else { Issue.record("not kmeans"); return }
        #expect(job.model.clusters == 3 && job.model.fixedPoint.scale == 1024)
        #expect(job.model.dimension == Self.dimension && job.model.box == FeatureBox())
        let profile = try JobComputation(kind: "segment-profile", parameters: try JSONDecoder().decode(JSONValue.self, from: Data(#"{"maxOrders": 7}"#.utf8)))
        guard case .segmentProfile(let spec) = profile else { Issue.record("not a profile"); return }
        #expect(spec.maxOrders == 7 && spec.maxSpend == SegmentProfileSpec().maxSpend)
        // Invalid values are refused by name, not clamped.
        #expect(throws: JobError.self) { try JobComputation(kind: "segment-profile", parameters: #"{"maxOrders": 0}"#) }
        // Percentile value tiers have no per-customer sensitivity bound: refused, by name.
        do {
            _ = try JobComputation(kind: "segment-profile", parameters: #"{"features": {"tierRule": {"rule": "percentile", "cuts": [50, 80, 95]}}}"#)
            Issue.record("percentile tiers were accepted")
        } catch {
            #expect("\(error)".contains("percentile"), "\(error)")
        }
        // Other public thresholds are accepted, laid over the defaults field by field.
        guard case .segmentProfile(let other) = try JobComputation(kind: "segment-profile", parameters: #"{"features": {"tierRule": {"cuts": [5000, 20000, 90000]}}}"#) else {
            Issue.record("not a profile"); return
        }
        #expect(other.features.tierRule == .spendCents([5_000, 20_000, 90_000]))
        #expect(throws: JobError.self) { try JobComputation(kind: "kmeans", parameters: #"{"model": {"dimension": 4}}"#) }
    }

    /// The public k-means start depends only on the seed and the schema: shares on the simplex.
    @Test func kmeansStartIsPublicAndOnTheShareSimplex() throws {
        let job = KMeansJob(model: KMeansParameters(clusters: 4, dimension: Self.dimension), initSeed: 11)
        let start = try job.initialCentroids()
        #expect(start == (try job.initialCentroids()))
        #expect(start != (try KMeansJob(model: job.model, initSeed: 12).initialCentroids()))
        for c in start { #expect(abs(c.suffix(Taxonomy.categories.count).reduce(0, +) - 1) < 1e-12) }
    }
}
