import Foundation

extension ReportPage {
    /// Phase totals in order of first appearance, with how many rounds were timed.
    func phaseTotals() -> [(phase: String, seconds: Double, rounds: Int)] {
        var order: [String] = []
        var total: [String: Double] = [:]
        var rounds: [String: Set<Int>] = [:]
        for p in report.phases {
            if total[p.phase] == nil { order.append(p.phase) }
            total[p.phase, default: 0] += p.seconds
            if let r = p.round { rounds[p.phase, default: []].insert(r) }
        }
        return order.map { ($0, total[$0]!, rounds[$0]?.count ?? 0) }
    }

    static func byteUnit(_ largest: Double) -> (Double, String) {
        let units = ["Bytes", "KiB", "MiB", "GiB", "TiB"]
        var unit = 1.0
        var i = 0
        while largest.isFinite, largest / unit >= 1024, i < units.count - 1 { unit *= 1024; i += 1 }
        return (unit, units[i])
    }

    func performanceSection(_ m: inout Markup) {
        openSection(&m, "performance")
        let totals = phaseTotals()
        m.element("h3", [], "Time per phase")
        if totals.isEmpty {
            none(&m, "No phase timings were recorded.")
        } else {
            let chart = HorizontalBarChart(
                id: "chart-phases", title: "Time per phase",
                description: totals.map { "\($0.phase) \(Format.seconds($0.seconds))" }.joined(separator: "; ") + ".",
                labels: totals.map(\.phase), values: totals.map(\.seconds), xLabel: "Seconds (all rounds)",
                colour: Palette.colour(0), width: 1000, format: { Format.seconds($0) })
            m.open("figure")
            m.raw(chart.render())
            m.element("figcaption", [], "Wall-clock time in each protocol phase, summed over the rounds in which it was timed.")
            m.close("figure")
            HTMLTable(caption: nil, columns: [
                .init(title: "Phase"), .init(title: "Total", numeric: true), .init(title: "Rounds timed", numeric: true),
                .init(title: "Mean per round", numeric: true),
            ], rows: totals.map { t in
                [.init(t.phase), .init(Format.seconds(t.seconds)), .init(t.rounds == 0 ? "—" : String(t.rounds)),
                 .init(t.rounds == 0 ? "—" : Format.seconds(t.seconds / Double(t.rounds)))]
            }, maxRows: maxRows).render(into: &m)
        }
        m.element("h3", [], "Bytes per participant")
        if report.traffic.isEmpty {
            none(&m, "No traffic was recorded.")
        } else {
            let t = report.traffic
            // Axis in one binary unit so that its ticks are round numbers of that unit.
            let largest = t.map { Double(max($0.bytesSent, $0.bytesReceived)) }.max() ?? 0
            let (unit, unitName) = Self.byteUnit(largest)
            let chart = BarChart(
                id: "chart-traffic", title: "Bytes sent and received per participant",
                description: t.map { "\($0.participant) sent \(Format.bytes(Double($0.bytesSent))), received \(Format.bytes(Double($0.bytesReceived)))" }.joined(separator: "; ") + ".",
                categories: t.map(\.participant),
                series: [.init(name: "sent", values: t.map { Double($0.bytesSent) / unit }, colour: Palette.colour(0)),
                         .init(name: "received", values: t.map { Double($0.bytesReceived) / unit }, colour: Palette.colour(4))],
                yLabel: unitName, width: 1000, height: 300,
                yFormat: { Format.number($0) }, valueFormat: { Format.bytes($0 * unit) })
            m.open("figure")
            m.raw(chart.render())
            m.element("figcaption", [], "Bytes each participant sent to and received from the coordinator over the whole run, TLS framing included where the transport measured it.")
            m.close("figure")
        }
        m.close("section")
    }
}
