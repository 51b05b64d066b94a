import Foundation
import Testing
@testable import TesseraReport

@Suite struct JSONTests {
    @Test func roundTripReproducesTheModel() throws {
        let report = SampleReport.make()
        let data = try report.jsonData()
        let back = try RunReport(jsonData: data)
        #expect(back == report)
        #expect(try back.jsonData() == data)
    }

    @Test func outputIsSorted() throws {
        let a = try SampleReport.make().jsonData()
        let text = String(decoding: a, as: UTF8.self)
        // Top-level keys in sorted order.
        let keys = ["\"faults\"", "\"jobs\"", "\"ledger\"", "\"metadata\"", "\"notes\"", "\"phases\"",
                    "\"series\"", "\"tables\"", "\"traffic\"", "\"utility\""]
        let positions = keys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(text.contains("\n  \"faults\""))  // pretty-printed
    }

    @Test func doublesAreRounded() throws {
        var report = RunReport(metadata: SampleReport.make().metadata)
        report.metadata.wallSeconds = 1.0 / 3.0
        report.jobs = [JobSummary(id: "j", kind: "kmeans", rounds: 1, epsilon: 0.1 + 0.2, delta: 1e-6 * 3)]
        report.utility = [UtilityFigure(metric: "m", federated: -0.0, centralized: 2.0 / 3.0, gap: 123456789.123456789)]
        let text = String(decoding: try report.jsonData(), as: UTF8.self)
        #expect(text.contains("\"epsilon\" : 0.3,"))
        #expect(text.contains("\"wallSeconds\" : 0.333333"))
        #expect(!text.contains("0.3333333"))
        #expect(text.contains("\"centralized\" : 0.6666666667"))
        #expect(text.contains("\"gap\" : 123456789.1"))
        #expect(text.contains("\"federated\" : 0,"))
        #expect(text.contains("\"delta\" : 3e-06") || text.contains("\"delta\" : 3.0e-06") || text.contains("\"delta\" : 0.000003"))
    }

    @Test func nonFiniteValuesSurviveAsStrings() throws {
        var report = RunReport(metadata: SampleReport.make().metadata)
        report.utility = [UtilityFigure(metric: "auc", federated: .nan, centralized: .infinity, gap: -.infinity)]
        report.tables = [ResultTable(title: "t", columns: ["x"], rows: [[.number(.nan)], [.text("NaN")]])]
        let data = try report.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"NaN\"") && text.contains("\"Infinity\"") && text.contains("\"-Infinity\""))
        let back = try RunReport(jsonData: data)
        #expect(back.utility[0].federated.isNaN)
        #expect(back.utility[0].centralized == .infinity)
        #expect(back.utility[0].gap == -.infinity)
        // A text cell that reads "NaN" stays text.
        #expect(back.tables[0].rows[1][0].value == .text("NaN"))
        if case .number(let x) = back.tables[0].rows[0][0].value { #expect(x.isNaN) } else { Issue.record("cell lost its kind") }
    }

    @Test func cellsEncodeTheirKindExplicitly() throws {
        let cells: [TableCell] = [.text("42"), .number(42, error: 1.5), .number(7, suppressed: true)]
        let data = try JSONEncoder().encode(cells)
        let back = try JSONDecoder().decode([TableCell].self, from: data)
        #expect(back == cells)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"text\":\"42\""))
    }
}
