import Foundation

extension ReportPage {
    /// Metrics have unrelated scales (AUC near 1, a k-means cost in thousands), so each
    /// gets its own small chart with its own axis rather than one shared axis.
    func utilitySection(_ m: inout Markup) {
        openSection(&m, "utility")
        if report.utility.isEmpty {
            none(&m, "No utility figures were recorded.")
            m.close("section")
            return
        }
        m.open("figure", [("class", "small-multiples")])
        for (i, u) in report.utility.enumerated() {
            let chart = BarChart(
                id: "chart-utility-\(i)", title: "\(u.metric): federated vs centralized",
                description: "\(u.metric): federated \(Format.number(u.federated)), centralized \(Format.number(u.centralized)), gap \(Format.number(u.gap)).",
                categories: ["federated", "centralized"],
                series: [.init(name: u.metric, values: [u.federated, u.centralized], colour: Palette.colour(0))],
                yLabel: "", width: 220, height: 220,
                categoryColours: [Palette.colour(0), Palette.colour(4)])
            m.open("div", [("class", "panel")])
            m.element("div", [("class", "panel-title")], u.metric)
            m.raw(chart.render())
            m.close("div")
        }
        m.element("figcaption", [], "Each metric on its own axis: the federated result (blue) next to the same computation run centrally on the pooled plaintext data (orange).")
        m.close("figure")
        HTMLTable(caption: nil, columns: [
            .init(title: "Metric"), .init(title: "Federated", numeric: true), .init(title: "Centralized", numeric: true),
            .init(title: "Gap", numeric: true), .init(title: "Target", numeric: true), .init(title: "Met"),
        ], rows: report.utility.map { u in
            let met: HTMLTable.Cell
            switch u.met {
            case .some(true): met = .init("✓ yes", classes: ["yes"])
            case .some(false): met = .init("✗ no", classes: ["no"])
            case .none: met = .init("—")
            }
            return [.init(u.metric), .init(Format.number(u.federated)), .init(Format.number(u.centralized)),
                    .init(Format.number(u.gap)), .init(u.target.map { Format.number($0) } ?? "—"), met]
        }, maxRows: maxRows).render(into: &m)
        m.close("section")
    }
}
