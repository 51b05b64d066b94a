import Foundation
import Testing
@testable import TesseraReport

@Suite struct HTMLTests {
    @Test func sampleIsWellFormedXMLWithAccessibleCharts() throws {
        let html = SampleReport.make().html()
        let check = XMLCheck.parse(html)
        #expect(check.ok, "\(check.error ?? "")")
        let svgs = check.named("svg")
        // privacy, 4 utility panels, phases, traffic, 1 series.
        #expect(svgs.count == 8)
        for svg in svgs {
            #expect(svg.attributes["role"] == "img")
            #expect(svg.attributes["xmlns"] == "http://www.w3.org/2000/svg")
            #expect(svg.attributes["aria-labelledby"] != nil)
        }
        // Every chart opens with a <title> and a <desc>.
        let names = check.elements.map(\.name)
        for (i, name) in names.enumerated() where name == "svg" {
            #expect(names[i + 1] == "title" && names[i + 2] == "desc")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func noExternalReferences() {
        let html = SampleReport.make().html()
        let namespace = "http://www.w3.org/2000/svg"
        let stripped = html.replacingOccurrences(of: namespace, with: "")
        #expect(!stripped.contains("http://"))
        #expect(!stripped.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(!html.contains("<link"))
    }

    @Test func hostileStringsAreEscaped() {
        let hostile = "<script>alert('x & \"y\"')</script>]]>\u{0}\u{1B}"
        var report = SampleReport.make()
        report.metadata.scenario = hostile
        report.metadata.description = hostile
        report.metadata.transcriptRoot = hostile
        report.metadata.audit.detail = hostile
        report.jobs[0].id = hostile
        report.ledger[0].participant = hostile
        report.ledger[2].refusals[0].reason = hostile
        report.traffic[0].participant = hostile
        report.utility[0].metric = hostile
        report.phases[0].phase = hostile
        report.series[0].title = hostile
        report.series[0].quantity = hostile
        report.series[0].lines[0].label = hostile
        report.tables[0].title = hostile
        report.tables[0].columns[0] = hostile
        report.tables[0].rows[0][0] = .text(hostile)
        report.faults[0].effect = hostile
        report.notes.append(hostile)
        let html = report.html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert('"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;]]&gt;"))
        let check = XMLCheck.parse(html)
        #expect(check.ok, "\(check.error ?? "")")
        // The text a reader sees is the original string, control characters replaced.
        #expect(check.text.contains("<script>alert('x & \"y\"')</script>]]>\u{FFFD}\u{FFFD}"))
    }

    @Test func emptyReportSaysNone() {
        let report = RunReport(metadata: RunMetadata(
            scenario: "", description: "", seed: 0, transcriptRoot: "", audit: AuditVerdict(status: .notAudited, detail: ""),
            backend: "", keyBits: 0, threshold: 0, participants: 0, wallSeconds: 0, date: ""))
        let html = report.html()
        let check = XMLCheck.parse(html)
        #expect(check.ok, "\(check.error ?? "")")
        #expect(check.named("svg").isEmpty)
        for phrase in ["No jobs recorded.", "No privacy ledger was recorded.", "No utility figures were recorded.",
                       "No phase timings were recorded.", "No traffic was recorded.", "No per-round series were recorded.",
                       "No result tables were released.", "No faults were injected.", "No notes.", "NOT AUDITED"] {
            #expect(html.contains(phrase), "missing: \(phrase)")
        }
    }

    @Test func degenerateInputsStayWellFormedAndFinite() {
        var report = SampleReport.make()
        report.ledger = [ParticipantLedger(participant: "solo", budgetEpsilon: 0, budgetDelta: 0,
                                           entries: [LedgerEntry(round: 1, epsilonSpent: .nan, deltaSpent: .infinity)],
                                           refusals: [Refusal(round: 2, reason: "no budget")])]
        report.utility = [UtilityFigure(metric: "auc", federated: .nan, centralized: .infinity, gap: 0),
                          UtilityFigure(metric: "zero", federated: 0, centralized: 0, gap: 0),
                          UtilityFigure(metric: "negative", federated: -3, centralized: 2, gap: 5)]
        report.series = [RoundSeries(title: "one point", quantity: "AUC", lines: [.init(label: "federated", values: [0.71])]),
                         RoundSeries(title: "with NaN", quantity: "cost", lines: [.init(label: "f", values: [3, .nan, .infinity, 1])]),
                         RoundSeries(title: "empty", quantity: "x", lines: [.init(label: "f", values: [])])]
        report.phases = [PhaseTiming(phase: "only", seconds: 0)]
        report.traffic = [ParticipantTraffic(participant: "solo", bytesSent: 0, bytesReceived: 0)]
        report.tables = [ResultTable(title: "ragged", columns: ["a"], rows: [[.text("x"), .number(1)], []]),
                         ResultTable(title: "no rows", columns: ["a", "b"], rows: [])]
        let html = report.html()
        let check = XMLCheck.parse(html)
        #expect(check.ok, "\(check.error ?? "")")
        // No NaN or infinity reaches a coordinate.
        for e in check.elements where ["line", "rect", "circle", "polyline", "polygon", "text", "svg"].contains(e.name) {
            for (k, v) in e.attributes where ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "points", "viewBox"].contains(k) {
                #expect(!v.lowercased().contains("nan") && !v.lowercased().contains("inf"), "\(e.name) \(k)=\(v)")
            }
        }
        #expect(html.contains("2 non-finite values are not plotted"))
        #expect(html.contains("The table has no rows."))
        #expect(html.contains("NaN") && html.contains("∞"))
    }

    @Test func longTablesAreCapped() {
        let report = SampleReport.make()
        let html = report.html(maxTableRows: 25)
        #expect(html.contains("55 more rows not shown (80 in all)"))
        let all = report.html(maxTableRows: 100)
        #expect(!all.contains("more rows not shown"))
        // 80 profile rows + the other tables' rows when nothing is capped; 25 when capped.
        let rowsAll = XMLCheck.parse(all).named("tr").count
        let rowsCapped = XMLCheck.parse(html).named("tr").count
        #expect(rowsAll - rowsCapped == 55)
    }

    @Test func suppressedCellsAndErrorBarsAreMarked() {
        let html = SampleReport.make().html(maxTableRows: 100)
        let check = XMLCheck.parse(html)
        let suppressedCount = SampleReport.profileTable().rows.flatMap { $0 }.filter(\.suppressed).count
        #expect(suppressedCount > 0)
        #expect(check.named("td").filter { $0.attributes["class"]?.contains("suppressed") == true }.count == suppressedCount)
        #expect(html.contains(" ± 11.8"))
    }
}
