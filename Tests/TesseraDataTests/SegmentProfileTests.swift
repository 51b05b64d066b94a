import Foundation
import Testing
import TesseraData

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
        #expect(total == 15)  // customers 1, capped orders 3, 70 EUR = 7 units of 10, histogram 3, churn 1
    }

    @Test func layoutAndLabels() {
        let spec = SegmentProfileSpec(stages: [.grow, .decline], tiers: [.top], regions: ["west", "north"])
        #expect(spec.cellCount == 4 && spec.length == 52 && spec.labels.count == 52)
        #expect(spec.labels[1] == "customers:grow:top:north")
        #expect(spec.labels[spec.histogramOffset + 7 * 3 + 6] == "histogram:decline:top:north:toys")
        #expect(spec.labels[spec.churnOffset + 2] == "churn:grow:top:west:red")
        #expect(spec.cellIndex(stage: .mature, tier: .top, region: "west") == nil)
    }

    static func brands() throws -> [FeatureDerivation] {
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
        #expect(decoded == central)
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
        sums[spec.spendOffset + 1] = 3 * 40              // 40 units of 10 → 400 currency units
        sums[spec.spendOffset] = 3 * 999
        sums[spec.churnOffset + 3 + 1] = 2 * 4
        let table = try SegmentProfile.decode(sums: sums, spec: spec, noiseStandardDeviation: 5, minimumCustomers: 10)
        #expect(table.cells[0].suppressed && table.cells[0].spend == nil && table.cells[0].customers == nil)
        #expect(table.cells[2].suppressed)
        let c = table.cells[1]
        #expect(!c.suppressed && c.customers == 10 && c.orders == 25 && c.spend == 400 && c.churn == [0, 4, 0])
        let e = table.errorBars95
        #expect(abs(e.customers - 4.9) < 1e-12 && abs(e.orders - 9.8) < 1e-12 && abs(e.spend - 98.0 / 3) < 1e-12)
        #expect(abs(e.histogram - 9.8) < 1e-12 && abs(e.churn - 4.9) < 1e-12)
        let csv = table.csv()
        #expect(!csv.contains("999"))
        let lines = csv.split(separator: "\n")
        #expect(lines.count == spec.cellCount + 2 && lines[0] == Substring(ProfileTable.csvHeader))
        #expect(lines[1] == "explore,low,north,1,,,,,,,,,,,,,")
        #expect(lines[2] == "explore,low,south,0,10,25,400,0,0,0,0,0,0,0,0,4,0")
        #expect(lines.last!.hasPrefix("±95%,,,,4.9,9.8,32.67,"))
        let back = try JSONDecoder().decode(ProfileTable.self, from: table.json())
        #expect(back == table)
        #expect(throws: FeatureError.self) { try SegmentProfile.decode(sums: [1, 2], spec: spec) }
    }
}
