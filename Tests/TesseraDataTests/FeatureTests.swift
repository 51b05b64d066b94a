import Foundation
import Testing
import TesseraData

/// Hand-built orders relative to the observation end A = 2026-01-01.
enum Orders {
    static let a = SyntheticBrands.observationEnd
    static func make(_ customer: String, daysAgo: Double, cents: Int64 = 1000, category: String = "beauty", region: String = "north") -> OrderRecord {
        OrderRecord(customerID: customer, orderID: "o-\(customer)", timestamp: a - Int64(daysAgo * 86_400), amountCents: cents,
                           currency: "EUR", category: category, region: region, channel: "web")
    }

    static func table(_ records: [OrderRecord], through: Int64 = a, labelWindowEnd: Int64? = nil) -> CustomerTable {
        var t = CustomerTable(through: through, labelWindowEnd: labelWindowEnd)
        for r in records { t.add(r) }
        return t
    }

    static func tmp() throws -> String {
        let p = NSTemporaryDirectory() + "tessera-features-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    static func writeCSV(_ records: [OrderRecord], to path: String) throws {
        try ([OrderRecord.header] + records.map(\.csvLine)).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

@Suite struct CustomerFeatureTests {
    @Test func aggregatesAndRFM() throws {
        let rows = [Orders.make("x", daysAgo: 200, cents: 1250, category: "toys", region: "west"),
                    Orders.make("x", daysAgo: 10.5, cents: 750, category: "toys", region: "north"),
                    Orders.make("x", daysAgo: 50, cents: 100, category: "home", region: "west"),
                    Orders.make("x", daysAgo: -3, cents: 99_999)]  // after asOf: ignored
        let t = Orders.table(rows)
        #expect(t.ordersOutsideWindow == 1)
        let f = try #require(try FeatureDerivation(table: t).features(of: "x"))
        #expect(f.orders == 3)
        #expect(f.spendCents == 2100)
        #expect(f.firstOrder == Orders.a - 200 * 86_400 && f.lastOrder == Orders.a - Int64(10.5 * 86_400))
        #expect(f.recencyDays == 10 && f.tenureDays == 200)
        #expect(f.categoryOrders == [0, 0, 0, 0, 1, 0, 2])
        #expect(f.categorySpendCents == [0, 0, 0, 0, 100, 0, 2000])
        #expect(f.categoryShares[6] == 2.0 / 3 && f.categoryShares.reduce(0, +) == 1)
        #expect(Taxonomy.regions[f.mainRegion] == "west")
        #expect(f.lifecycle == .mature && f.churnRisk == .green)
    }

    @Test func mainRegionTiesGoToTaxonomyOrder() throws {
        let t = Orders.table([Orders.make("y", daysAgo: 5, region: "east"), Orders.make("y", daysAgo: 6, region: "south"),
                              Orders.make("z", daysAgo: 5, region: "central"), Orders.make("z", daysAgo: 6, region: "west")])
        let d = try FeatureDerivation(table: t)
        #expect(Taxonomy.regions[try #require(d.features(of: "y")).mainRegion] == "south")
        #expect(Taxonomy.regions[try #require(d.features(of: "z")).mainRegion] == "west")
    }

    @Test func lifecycleBoundaries() throws {
        // (first order days ago, last order days ago, expected stage)
        let cases: [(Double, Double, LifecycleStage)] = [
            (0, 0, .explore), (30, 30, .explore), (30.99, 1, .explore), (31, 31, .grow), (180.5, 2, .grow),
            (181, 181, .mature), (181, 0, .mature), (800, 365.9, .mature), (800, 366, .decline), (367, 366, .decline),
        ]
        var rows: [OrderRecord] = []
        for (k, c) in cases.enumerated() {
            rows.append(Orders.make("c\(k)", daysAgo: c.0))
            rows.append(Orders.make("c\(k)", daysAgo: c.1))
        }
        let d = try FeatureDerivation(table: Orders.table(rows))
        for (k, c) in cases.enumerated() { #expect(d.features(of: "c\(k)")?.lifecycle == c.2, "case \(k)") }
        #expect(LifecycleStage(tenureDays: 30, recencyDays: 0) == .explore)
        #expect(LifecycleStage(tenureDays: 180, recencyDays: 180) == .grow)
    }

    @Test func churnBoundariesAndCustomThresholds() throws {
        let ages: [(Double, ChurnRisk)] = [(0, .green), (90.9, .green), (91, .yellow), (180.9, .yellow), (181, .red), (1000, .red)]
        let d = try FeatureDerivation(table: Orders.table(ages.enumerated().map { Orders.make("r\($0)", daysAgo: $1.0) }))
        for (k, a) in ages.enumerated() { #expect(d.features(of: "r\(k)")?.churnRisk == a.1, "age \(a.0)") }
        let custom = try FeatureDerivation(table: d.table, options: FeatureOptions(greenDays: 10, redDays: 20))
        #expect(custom.features(of: "r1")?.churnRisk == .red)
        #expect(throws: FeatureError.self) { try FeatureDerivation(table: d.table, options: FeatureOptions(greenDays: 30, redDays: 20)) }
    }

    @Test func valueTierPercentilesAndTies() throws {
        // 20 distinct spends: percentile = 5 · rank; cuts 50/80/95 at ranks 10, 16, 19.
        let d = try FeatureDerivation(table: Orders.table((1...20).map { Orders.make("s\($0)", daysAgo: 1, cents: Int64($0) * 100) }))
        let tiers = (1...20).map { d.features(of: "s\($0)")!.valueTier }
        #expect(tiers == Array(repeating: .low, count: 10) + Array(repeating: .mid, count: 6) + [.high, .high, .high, .top])
        // Ties share the rank of the first of them: [5, 5, 5, 10] → percentiles 0, 0, 0, 75.
        let tied = try FeatureDerivation(table: Orders.table([500, 500, 500, 1000].enumerated().map { Orders.make("t\($0)", daysAgo: 1, cents: $1) }))
        #expect((0..<4).map { tied.features(of: "t\($0)")!.valueTier } == [.low, .low, .low, .mid])
        // Configurable cut points and public thresholds.
        let custom = try FeatureDerivation(table: d.table, options: FeatureOptions(tierRule: .percentile([25, 50, 75])))
        #expect(custom.features(of: "s5")!.valueTier == .low && custom.features(of: "s6")!.valueTier == .mid && custom.features(of: "s16")!.valueTier == .top)
        let fixed = try FeatureDerivation(table: d.table, options: FeatureOptions(tierRule: .spendCents([500, 1000, 2000])))
        #expect([4, 5, 9, 10, 19, 20].map { fixed.features(of: "s\($0)")!.valueTier } == [.low, .mid, .mid, .high, .high, .top])
        #expect(throws: FeatureError.self) { try FeatureDerivation(table: d.table, options: FeatureOptions(tierRule: .percentile([80, 50, 95]))) }
    }

    @Test func featureMatrixUsesFixedTransforms() throws {
        let d = try FeatureDerivation(table: Orders.table([Orders.make("m", daysAgo: 400, cents: 999_900, category: "apparel"),
                                                           Orders.make("m", daysAgo: 65, cents: 100, category: "grocery")]))
        let rows = FeatureMatrix.rows(d)
        #expect(rows.count == 1 && rows[0].count == FeatureMatrix.columns.count && FeatureMatrix.columns.count == 11)
        let r = rows[0]
        #expect(abs(r[0] - log1p(65) / log(366)) < 1e-12)
        #expect(abs(r[1] - log1p(2) / log(50)) < 1e-12)
        #expect(r[2] == 1)  // ln(1 + 10000) / ln 10000 > 1, clipped
        #expect(abs(r[3] - 400.0 / 1095) < 1e-12)
        #expect(Array(r[4...]) == [0.5, 0, 0, 0.5, 0, 0, 0])
    }

    @Test func propensityLabelsAndExclusions() throws {
        let dir = try Orders.tmp()
        let rows = [Orders.make("a", daysAgo: 100), Orders.make("a", daysAgo: 10),   // repurchases
                    Orders.make("b", daysAgo: 100),                                  // does not
                    Orders.make("c", daysAgo: 10), Orders.make("c", daysAgo: 5),     // first order after the cutoff: excluded
                    Orders.make("d", daysAgo: 40), Orders.make("d", daysAgo: -5),    // only after asOf: label 0
                    Orders.make("e", daysAgo: 30), Orders.make("e", daysAgo: 0)]     // exactly at the cutoff, then exactly at asOf
        try Orders.writeCSV(rows, to: dir + "/o.csv")
        let (set, summary) = try PropensityDataset.build(from: OrderCSVReader(path: dir + "/o.csv"), horizonDays: 30)
        #expect(summary.rows == rows.count)
        #expect(set.cutoff == Orders.a - 30 * 86_400)
        #expect(set.labels == [1, 0, 0, 1])  // a, b, d, e in order of first appearance
        #expect(set.features.count == 4 && set.columns == FeatureMatrix.columns)
        #expect(abs(set.features[0][0] - log1p(70) / log(366)) < 1e-12)  // recency counted to the cutoff
        #expect(set.features.allSatisfy { $0.allSatisfy { (0...1).contains($0) } })
    }
}
