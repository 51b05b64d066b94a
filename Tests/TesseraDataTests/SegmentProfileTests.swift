import Foundation
import Testing
import TesseraData
import TesseraPrivacy
import TesseraRandom

@Suite struct SegmentProfileTests {
    static let spec = SegmentProfileSpec(maxOrders: 3, maxSpend: 100, spendUnit: 10,
                                         weights: BlockWeights(customers: 2, orders: 1, spend: 3, histogram: 1, churn: 2))

    static func norm2(_ v: [Int64]) -> Int64 { v.reduce(0) { $0 + $1 * $1 } }

    /// All multisets of `n` orders over the 7 categories.
    static func compositions(_ n: Int, _ k: Int = 7) -> [[Int]] {
        if k == 1 { return [[n]] }
        return (0...n).flatMap { first in compositions(n - first, k - 1).map { [first] + $0 } }
    }

    @Test func sensitivityBoundHoldsByBruteForceAndIsAttained() throws {
        let spec = Self.spec
        #expect(spec.maxSpendUnits == 10)
        #expect(spec.perCustomerL2Squared == 4 + 9 + 900 + 9 + 4)
        var worst: Int64 = 0, customers = 0
        for n in 1...5 {
            for counts in Self.compositions(n) {
                for total: Int64 in [0, 100, 9_499, 9_500, 10_000, 100_000_000] {
                    var rows: [OrderRecord] = []
                    for (c, m) in counts.enumerated() where m > 0 {
                        for _ in 0..<m { rows.append(Orders.make("x", daysAgo: Double(rows.count * 40), cents: rows.isEmpty ? min(total, 100_000_000) : 0, category: Taxonomy.categories[c])) }
                    }
                    let v = try SegmentProfile.localVector(FeatureDerivation(table: Orders.table(rows), options: spec.features), spec: spec)
                    let k = 7, h = spec.histogramOffset
                    let cell = try #require(v[0..<spec.cellCount].firstIndex(of: 2))
                    let histogram = v[(h + cell * k)..<(h + cell * k + k)]
                    #expect(histogram.reduce(0, +) == Int64(min(n, 3)))
                    #expect(v[spec.ordersOffset + cell] == Int64(min(n, 3)))
                    worst = max(worst, Self.norm2(v))
                    #expect(Self.norm2(v) <= spec.perCustomerL2Squared)
                    customers += 1
                }
            }
        }
        let multisets = [7, 28, 84, 210, 462].reduce(0, +)  // C(n + 6, 6) for n = 1...5
        #expect(customers == 6 * multisets)
        #expect(worst == spec.perCustomerL2Squared)  // tight: ≥ 3 orders in one category, spend ≥ 100
    }

    @Test func histogramApportionsByLargestRemainder() throws {
        // 7 orders: 4 apparel, 2 toys, 1 home, capped to 3 → quotas 1.71, 0.86, 0.43 → floors 1, 0, 0, then the two largest remainders (toys .86, apparel .71).
        let spec = SegmentProfileSpec(maxOrders: 3)
        var rows = (0..<4).map { _ in Orders.make("h", daysAgo: 1, category: "apparel") }
        rows += (0..<2).map { _ in Orders.make("h", daysAgo: 2, category: "toys") }
        rows.append(Orders.make("h", daysAgo: 3, category: "home"))
        let v = try SegmentProfile.localVector(FeatureDerivation(table: Orders.table(rows), options: spec.features), spec: spec)
        let cell = try #require(spec.cellIndex(stage: .explore, tier: .low, region: "north"))
        #expect(Array(v[(spec.histogramOffset + cell * 7)..<(spec.histogramOffset + cell * 7 + 7)]) == [2, 0, 0, 0, 0, 0, 1])
        #expect(v[spec.churnOffset + cell * 3] == 1)
        let total = v.reduce(0, +)
        // customers 1, capped orders 3, 70 EUR = 7 units of 10 weighted 50 (the low tier's cap is
        // 10 of the 500 units of maxSpend), histogram 3, churn 1
        #expect(spec.spendWeight(.low) == 50 && total == 1 + 3 + 7 * 50 + 3 + 1)
    }

    @Test func layoutAndLabels() {
        let spec = SegmentProfileSpec(stages: [.grow, .decline], tiers: [.top], regions: ["west", "north"])
        #expect(spec.cellCount == 4 && spec.length == 52 && spec.labels.count == 52)
        #expect(spec.labels[1] == "customers:grow:top:north")
        #expect(spec.labels[spec.histogramOffset + 7 * 3 + 6] == "histogram:decline:top:north:toys")
        #expect(spec.labels[spec.churnOffset + 2] == "churn:grow:top:west:red")
        #expect(spec.cellIndex(stage: .mature, tier: .top, region: "west") == nil)
    }

    static func brands(spec: SegmentProfileSpec = Self.spec) throws -> [FeatureDerivation] {
        let dir = try Orders.tmp()
        let files = try SyntheticBrands(brands: 3, customersPerBrand: 1500, seed: 5).write(to: dir)
        return try files.map { try FeatureDerivation(table: CustomerTable.build(from: OrderCSVReader(path: $0.path)).table, options: spec.features) }
    }

    @Test func centralizedEqualsSummedLocalWithoutNoise() throws {
        let spec = Self.spec
        let brands = try Self.brands()
        var sums = [Int64](repeating: 0, count: spec.length)
        for b in brands { for (i, x) in try SegmentProfile.localVector(b, spec: spec).enumerated() { sums[i] += x } }
        let decoded = try SegmentProfile.decode(sums: sums, spec: spec)
        let central = try SegmentProfile.centralTable(brands, spec: spec, capped: true)
        #expect(decoded.cells == central.cells)
        #expect(decoded.cells.compactMap(\.customers).reduce(0, +) == 4500)
        // Without caps, customers and churn agree but the capped statistics are smaller.
        let truth = try SegmentProfile.centralTable(brands, spec: spec, capped: false)
        #expect(truth.cells.map(\.customers) == central.cells.map(\.customers) && truth.cells.map(\.churn) == central.cells.map(\.churn))
        #expect(truth.cells.compactMap(\.orders).reduce(0, +) > central.cells.compactMap(\.orders).reduce(0, +))
        let exact = ProfileComparison(released: truth, truth: truth)
        #expect(exact.statistics.allSatisfy { $0.medianRelativeError == 0 && ($0.fractionWithinTolerance ?? 1) == 1 })
        let capped = ProfileComparison(released: central, truth: truth)
        #expect(capped.statistics.first { $0.name == "customers" }?.medianRelativeError == 0)
        #expect((capped.statistics.first { $0.name == "spend" }?.medianRelativeError ?? 0) > 0)
    }

    @Test func decodeSuppressesSmallCellsAndReportsErrorBars() throws {
        let spec = Self.spec
        var sums = [Int64](repeating: 0, count: spec.length)
        sums[0] = 2 * 9; sums[1] = 2 * 10; sums[2] = -7  // 9, 10 and a negative noised count
        sums[spec.ordersOffset + 1] = 25
        sums[spec.histogramOffset + 7 + 0] = 20; sums[spec.histogramOffset + 7 + 6] = 5
        sums[spec.spendOffset + 1] = 3 * 40              // 40 units of 10 → 400 currency units
        sums[spec.spendOffset] = 3 * 999
        for (j, x) in [2, 4, 4].enumerated() { sums[spec.churnOffset + 3 + j] = 2 * Int64(x) }
        for (j, x) in [9, 0, 0].enumerated() { sums[spec.churnOffset + j] = 2 * Int64(x) }
        let table = try SegmentProfile.decode(sums: sums, spec: spec, noiseStandardDeviation: 5, minimumCustomers: 10)
        #expect(table.cells[0].suppressed && table.cells[0].spend == nil && table.cells[0].customers == nil)
        #expect(table.cells[2].suppressed)
        let c = table.cells[1]  // consistent sums are released as they are
        #expect(!c.suppressed && c.customers == 10 && c.orders == 25 && c.spend == 400 && c.churn == [2, 4, 4])
        #expect(c.histogram == [20, 0, 0, 0, 0, 0, 5])
        // Variances per σ²: 1/4 for customers and churn colours (S = 1), 1 for orders and
        // categories (S = 8); after projection 3/16 and 7/8.
        let e = try #require(c.errorBars95)
        #expect(table.cells[0].errorBars95 == nil)
        #expect(abs(e.customers - 9.8 * (3.0 / 16).squareRoot()) < 1e-12 && abs(e.churn - e.customers) < 1e-12)
        #expect(abs(e.orders - 9.8 * (7.0 / 8).squareRoot()) < 1e-12 && abs(e.histogram - e.orders) < 1e-12)
        #expect(abs(e.spend - 98.0 / 3) < 1e-12)
        let csv = table.csv()
        #expect(!csv.contains("999"))
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == spec.cellCount + 1 && lines[0] == Substring(ProfileTable.csvHeader))
        #expect(lines[1] == "explore,low,north,1" + String(repeating: ",", count: 18))
        #expect(lines[2] == "explore,low,south,0,10,25,400,20,0,0,0,0,0,5,2,4,4,4.24,9.17,32.67,9.17,4.24")
        let back = try JSONDecoder().decode(ProfileTable.self, from: table.json())
        #expect(back == table)
        #expect(throws: FeatureError.self) { try SegmentProfile.decode(sums: [1, 2], spec: spec) }
    }

    @Test func inconsistentCellsAreProjectedByWeightedLeastSquares() throws {
        let spec = Self.spec  // customers and churn weight 2, orders and histogram weight 1
        var sums = [Int64](repeating: 0, count: spec.length)
        sums[1] = 2 * 10
        sums[spec.churnOffset + 3 + 1] = 2 * 4
        sums[spec.ordersOffset + 1] = 25
        let c = try SegmentProfile.decode(sums: sums, spec: spec).cells[1]
        // Residual 6 split by variances 1/4 : 1/4 each (S = 1): the count gives 1.5, each colour takes 1.5.
        #expect(c.customers == 8.5 && c.churn == [1.5, 5.5, 1.5])
        // Residual 25, variances 1 : 1 each (S = 8): the total gives 25/8, each category takes 25/8.
        #expect(c.orders == 21.875 && c.histogram == Array(repeating: 3.125, count: 7))
    }

    /// With exact discrete Gaussian noise (CKS20) from a fixed seed, the consistent estimates
    /// satisfy the constraints, stay unbiased, and have the variances `decode`'s error bars
    /// state: each empirical variance over 4,000 draws within 10% of the stated one (a 10%
    /// miss is over 4 standard errors at this many draws), and below the raw variance.
    @Test func consistencyLowersTheVarianceTheErrorBarsState() throws {
        let spec = SegmentProfileSpec(stages: [.mature], tiers: [.mid], regions: ["east"], maxOrders: 5, maxSpend: 200, spendUnit: 10,
                                      weights: BlockWeights(customers: 3, orders: 2, spend: 1, histogram: 1, churn: 2))
        var truth = [Int64](repeating: 0, count: spec.length)
        truth[0] = 3 * 120
        truth[spec.ordersOffset] = 2 * 300
        for (j, x) in [100, 40, 30, 50, 20, 35, 25].enumerated() { truth[spec.histogramOffset + j] = Int64(x) }
        for (j, x) in [70, 30, 20].enumerated() { truth[spec.churnOffset + j] = 2 * Int64(x) }
        let exact = try SegmentProfile.decode(sums: truth, spec: spec).cells[0]
        #expect(exact.customers == 120 && exact.orders == 300 && exact.churn == [70, 30, 20])
        let sigma2 = 9.0
        var rng = ChaCha20DRBG(seed: Seed(2026))
        var raw: [[Double]] = [], projected: [[Double]] = []
        for _ in 0..<4000 {
            let noised = truth.map { $0 + Int64(CKS20.discreteGaussian(sigmaSquared: ExactRational(9, 1), using: &rng)) }
            let t = try SegmentProfile.decode(sums: noised, spec: spec, noiseStandardDeviation: sigma2.squareRoot())
            let cell = t.cells[0]
            let customers = try #require(cell.customers), churn = try #require(cell.churn)
            let orders = try #require(cell.orders), histogram = try #require(cell.histogram)
            #expect(abs(customers - churn.reduce(0, +)) < 1e-9 && abs(orders - histogram.reduce(0, +)) < 1e-9)
            projected.append([customers, churn[0], orders, histogram[0]])
            raw.append([Double(noised[0]) / 3, Double(noised[spec.churnOffset]) / 2, Double(noised[spec.ordersOffset]) / 2, Double(noised[spec.histogramOffset])])
        }
        let bars = try #require(try SegmentProfile.decode(sums: truth, spec: spec, noiseStandardDeviation: sigma2.squareRoot()).cells[0].errorBars95)
        let stated = [bars.customers, bars.churn, bars.orders, bars.histogram].map { ($0 / 1.96) * ($0 / 1.96) }
        let rawStated = [1.0 / 9, 1.0 / 4, 1.0 / 4, 1.0].map { $0 * sigma2 }
        let means = [120.0, 70, 300, 100]
        for j in 0..<4 {
            let xs = projected.map { $0[j] }, rs = raw.map { $0[j] }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)
            let rawMean = rs.reduce(0, +) / Double(rs.count)
            let rawVariance = rs.map { ($0 - rawMean) * ($0 - rawMean) }.reduce(0, +) / Double(rs.count - 1)
            #expect(abs(mean - means[j]) < 4 * (stated[j] / Double(xs.count)).squareRoot(), "statistic \(j): mean \(mean)")
            let ratio = variance / stated[j]
            #expect(abs(ratio - 1) < 0.1, "statistic \(j): variance / stated = \(ratio)")
            #expect(abs(rawVariance / rawStated[j] - 1) < 0.1 && stated[j] < rawStated[j])
        }
    }

    @Test func publicTierThresholdsBoundEachTiersSpendAndWeightIt() throws {
        // maxSpend 1000 in units of 10 → 100 units; tiers below 30, 250, 500 → caps 29.99, 249.99, 499.99.
        let spec = SegmentProfileSpec(stages: [.explore], maxOrders: 2, maxSpend: 1000, spendUnit: 10,
                                      weights: BlockWeights(customers: 1, orders: 1, spend: 2, histogram: 1, churn: 1),
                                      features: FeatureOptions(tierRule: .spendCents([3_000, 25_000, 50_000])))
        #expect(ValueTier.allCases.map(spec.spendCapCents) == [2_999, 24_999, 49_999, 100_000])
        // Units at the caps: 3, 25, 50, 100 → weights ⌊200/3⌋ = 66, 200/25, 200/50, 200/100.
        #expect(ValueTier.allCases.map(spec.spendWeight) == [66, 8, 4, 2])
        #expect(spec.perCustomerL2Squared == 1 + 4 + 200 * 200 + 4 + 1)
        var worst: Int64 = 0
        for cents: Int64 in [0, 499, 500, 2_999, 3_000, 24_999, 25_000, 49_999, 50_000, 99_999, 100_000, 10_000_000] {
            let table = try Orders.table([Orders.make("s", daysAgo: 1, cents: cents), Orders.make("s", daysAgo: 2, cents: 0)])
            let v = try SegmentProfile.localVector(FeatureDerivation(table: table, options: spec.features), spec: spec)
            worst = max(worst, Self.norm2(v))
            #expect(Self.norm2(v) <= spec.perCustomerL2Squared)
            let decoded = try SegmentProfile.decode(sums: v, spec: spec)
            let cell = try #require(decoded.cells.firstIndex { $0.customers == 1 })
            let expected = Double((min(cents, 100_000) + 500) / 1_000 * 10)
            #expect(decoded.cells[cell].spend == expected, "\(cents) cents")
        }
        #expect(worst == spec.perCustomerL2Squared)  // attained in the top tier at maxSpend
    }

    @Test func percentileTiersAreRefusedForAProfile() {
        let spec = SegmentProfileSpec(features: FeatureOptions(tierRule: .percentile([50, 80, 95])))
        do {
            try spec.validate()
            Issue.record("percentile tiers were accepted")
        } catch {
            #expect("\(error)".contains("public spend thresholds") && "\(error)".contains("percentile"))
        }
    }

    @Test func orderCapsPerCellScaleTheWeightsAndKeepTheBoundExact() throws {
        // explore/low counts 1 order, grow/mid 2, every other cell maxOrders = 4: the largest cap
        // is 4, so explore/low's orders and histogram weights are ×4 and grow/mid's ×2.
        let spec = SegmentProfileSpec(stages: [.explore, .grow], tiers: [.low, .mid], regions: ["north"], maxOrders: 4,
                                      orderCaps: ["explore": ["low": 1], "grow": ["mid": 2]], maxSpend: 300, spendUnit: 100,
                                      weights: BlockWeights(customers: 1, orders: 2, spend: 1, histogram: 1, churn: 1))
        #expect(spec.orderCap(.explore, .low) == 1 && spec.orderCap(.grow, .mid) == 2 && spec.orderCap(.grow, .low) == 4 && spec.largestOrderCap == 4)
        #expect(spec.ordersWeight(.explore, .low) == 8 && spec.histogramWeight(.explore, .low) == 4 && spec.ordersWeight(.grow, .mid) == 4)
        // Spend: low tier below 100 → 1 unit (weight 3/1); mid below 250 → 2 units (weight ⌊3/2⌋ = 1).
        #expect(spec.spendWeight(.low) == 3 && spec.spendWeight(.mid) == 1)
        // Worst cell: 1 + 8² + 3² + 4² + 1 in every cell with cap 4 and a mid-tier spend of 2 units → 1 + 64 + 4 + 16 + 1 = 86;
        // explore/low: 1 + 64 + 9 + 16 + 1 = 91, the largest.
        #expect(spec.perCustomerL2Squared == 91)
        var worst: Int64 = 0
        for n in 1...6 {
            for counts in Self.compositions(n, 7) where counts.filter({ $0 > 0 }).count <= 2 {
                for (days, cents): (Double, Int64) in [(1, 9_999), (1, 24_999), (100, 9_999), (100, 20_000)] {
                    var rows: [OrderRecord] = []
                    for (c, m) in counts.enumerated() where m > 0 {
                        for _ in 0..<m { rows.append(Orders.make("x", daysAgo: days + Double(rows.count), cents: rows.isEmpty ? cents : 0, category: Taxonomy.categories[c])) }
                    }
                    let d = try FeatureDerivation(table: Orders.table(rows), options: spec.features)
                    let v = try SegmentProfile.localVector(d, spec: spec)
                    let cell = try #require(v[0..<spec.cellCount].firstIndex(of: 1))
                    let f = try #require(d.features(of: "x"))
                    let cap = spec.orderCap(f.lifecycle, f.valueTier)
                    #expect(v[spec.ordersOffset + cell] == spec.ordersWeight(f.lifecycle, f.valueTier) * min(Int64(n), cap))
                    let decoded = try SegmentProfile.decode(sums: v, spec: spec).cells[cell]
                    #expect(decoded.orders == Double(min(Int64(n), cap)) && decoded.histogram?.reduce(0, +) == Double(min(Int64(n), cap)))
                    worst = max(worst, Self.norm2(v))
                    #expect(Self.norm2(v) <= spec.perCustomerL2Squared)
                }
            }
        }
        #expect(worst == spec.perCustomerL2Squared)
        for bad: [String: [String: Int64]] in [["early": ["low": 1]], ["grow": ["gold": 1]], ["grow": ["low": 0]]] {
            var b = spec
            b.orderCaps = bad
            #expect(throws: FeatureError.self) { try b.validate() }
        }
    }

    /// Error bars with per-cell weights: over many noised releases of the synthetic brands,
    /// about 95% of the released values lie within their bar of the capped computation.
    @Test func errorBarsCoverTheCappedComputation() throws {
        let spec = SegmentProfileSpec(maxOrders: 4, orderCaps: ["mature": ["top": 12, "high": 8]], maxSpend: 1000, spendUnit: 10,
                                      weights: BlockWeights(customers: 7, orders: 3, spend: 1, histogram: 1, churn: 5))
        let brands = try Self.brands(spec: spec)
        var sums = [Int64](repeating: 0, count: spec.length)
        for b in brands { for (i, x) in try SegmentProfile.localVector(b, spec: spec).enumerated() { sums[i] += x } }
        let capped = try SegmentProfile.centralTable(brands, spec: spec, capped: true)
        var rng = ChaCha20DRBG(seed: Seed(95))
        var coverage: [Double] = []
        for _ in 0..<30 {
            let noised = sums.map { $0 + Int64(CKS20.discreteGaussian(sigmaSquared: ExactRational(400, 1), using: &rng)) }
            let released = try SegmentProfile.decode(sums: noised, spec: spec, noiseStandardDeviation: 20)
            coverage.append(try #require(ProfileComparison.errorBarCoverage(released: released, capped: capped)))
        }
        let mean = coverage.reduce(0, +) / Double(coverage.count)
        #expect(abs(mean - 0.95) < 0.01, "coverage \(mean)")  // 30 × 1,040 values: standard error ≈ 0.0012
        // Bars one-fifth too narrow (noise σ = 25 decoded as σ = 20) cover about 88%: caught.
        var narrow: [Double] = []
        for _ in 0..<10 {
            let noised = sums.map { $0 + Int64(CKS20.discreteGaussian(sigmaSquared: ExactRational(625, 1), using: &rng)) }
            let released = try SegmentProfile.decode(sums: noised, spec: spec, noiseStandardDeviation: 20)
            narrow.append(try #require(ProfileComparison.errorBarCoverage(released: released, capped: capped)))
        }
        #expect(narrow.reduce(0, +) / Double(narrow.count) < 0.92)
    }
}
