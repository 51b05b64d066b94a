import Foundation
import Testing
import TesseraData
import TesseraJobs

/// protocol/vectors/segment-profile.json, recomputed as another implementation would: the
/// order rows through the CSV reader, the spec from the canonical parameters.
@Suite struct SegmentProfileVectorTests {
    struct Vector: Decodable {
        struct Decode: Decodable {
            var noise: [Int64]
            var sums: [Int64]
            var noiseStandardDeviation: Double
            var minimumCustomers: Double
            var table: ProfileTable
        }
        var version: String
        var parameters: String
        var asOf: Int64
        var orders: [String]
        var perCustomerL2Squared: Int64
        var labels: [String]
        var localVector: [Int64]
        var decode: Decode
    }

    static func load() throws -> Vector {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protocol/vectors/segment-profile.json")
        return try JSONDecoder().decode(Vector.self, from: Data(contentsOf: url))
    }

    @Test func localVectorAndBoundFromTheOrderRows() throws {
        let v = try Self.load()
        #expect(v.version == "tessera/vectors/segment-profile/v1")
        let computation = try JobComputation(kind: "segment-profile", parameters: v.parameters)
        guard case .segmentProfile(let spec) = computation else { Issue.record("not a profile"); return }
        #expect(computation.canonicalParameters == v.parameters)
        #expect(spec.features.asOf == v.asOf)
        #expect(spec.perCustomerL2Squared == v.perCustomerL2Squared && spec.labels == v.labels)
        let path = NSTemporaryDirectory() + "tessera-vector-\(UUID().uuidString).csv"
        try (v.orders.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let (local, summary) = try SegmentProfile.localVector(source: OrderCSVReader(path: path), spec: spec)
        #expect(summary.rows == v.orders.count - 1)
        #expect(local == v.localVector)
        // Spot checks a reader can follow by hand (cells: grow/low/north, grow/low/south, …):
        // grow/low/north holds c1 and c6 (region tie → north): customers 2 · 5; orders capped at
        // 2 each, weight 3 · 6 / 2 = 9.
        #expect(local[0] == 10 && local[spec.ordersOffset] == 36)
        // mature/top/south holds c2: 8 orders capped to 6 at weight 3; spend capped at 1,000 = 100 units at weight 1.
        #expect(local[spec.ordersOffset + 7] == 18 && local[spec.spendOffset + 7] == 100)
        #expect(v.decode.sums == zip(local, v.decode.noise).map { $0 + $1 })
    }

    @Test func decodedTableFromTheNoisedSums() throws {
        let v = try Self.load()
        guard case .segmentProfile(let spec) = try JobComputation(kind: "segment-profile", parameters: v.parameters) else { Issue.record("not a profile"); return }
        let table = try SegmentProfile.decode(sums: v.decode.sums, spec: spec, noiseStandardDeviation: v.decode.noiseStandardDeviation,
                                              minimumCustomers: v.decode.minimumCustomers)
        #expect(table.cells.count == v.decode.table.cells.count)
        func close(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return abs(a - b) <= 1e-9 * max(1, abs(b))
        }
        for (x, y) in zip(table.cells, v.decode.table.cells) {
            #expect(x.stage == y.stage && x.tier == y.tier && x.region == y.region && x.suppressed == y.suppressed)
            #expect(close(x.customers, y.customers) && close(x.orders, y.orders) && close(x.spend, y.spend))
            #expect(zip(x.histogram ?? [], y.histogram ?? []).allSatisfy { close($0, $1) } && zip(x.churn ?? [], y.churn ?? []).allSatisfy { close($0, $1) })
            #expect(close(x.errorBars95?.customers, y.errorBars95?.customers) && close(x.errorBars95?.spend, y.errorBars95?.spend))
            // Consistency holds in the published table too.
            if let c = y.customers, let churn = y.churn, let o = y.orders, let h = y.histogram {
                #expect(close(c, churn.reduce(0, +)) && close(o, h.reduce(0, +)))
            }
        }
    }
}
