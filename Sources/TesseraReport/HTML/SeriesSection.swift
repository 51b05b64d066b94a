import Foundation

extension ReportPage {
    func seriesSection(_ m: inout Markup) {
        openSection(&m, "rounds")
        let nonEmpty = report.series.filter { s in s.lines.contains { !$0.points.isEmpty } }
        if nonEmpty.isEmpty {
            none(&m, "No per-round series were recorded.")
        }
        for (i, s) in nonEmpty.enumerated() {
            m.element("h3", [], s.title)
            let series = s.lines.enumerated().map { j, line in
                LineChart.Series(name: line.label, points: line.points.map { (Double($0.round), $0.value) },
                                 colour: Palette.colour(j == 1 ? 4 : j), marker: MarkerShape.shape(j))
            }
            let legend = series.map { LegendEntry(label: $0.name, colour: $0.colour, style: .marker($0.marker ?? .circle)) }
            let values = s.lines.flatMap { $0.points.map(\.value) }
            let dropped = values.filter { !$0.isFinite }.count
            let lo = values.filter(\.isFinite).min() ?? 0
            let hi = values.filter(\.isFinite).max() ?? 0
            // A zero baseline would flatten a cost that moves in its third digit.
            let includeZero = lo >= 0 && lo < (hi - lo) * 2
            let chart = LineChart(
                id: "chart-series-\(i)", title: s.title,
                description: s.lines.map { l in
                    "\(l.label): " + l.points.map { "round \($0.round) \(Format.number($0.value))" }.joined(separator: ", ")
                }.joined(separator: "; ") + ".",
                xLabel: "Round", yLabel: s.quantity, series: series, legend: legend, width: 1000, height: 320,
                yIncludesZero: includeZero, xPadding: 0.3,
                tooltip: { line, x, y in "\(line.name), round \(Format.number(x)): \(Format.number(y))" })
            m.open("figure")
            m.raw(chart.render())
            if dropped > 0 {
                m.element("figcaption", [], "\(dropped) non-finite \(dropped == 1 ? "value is" : "values are") not plotted (NaN or ∞).")
            }
            m.close("figure")
        }
        m.close("section")
    }
}
