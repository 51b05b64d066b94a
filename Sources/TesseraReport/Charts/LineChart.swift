import Foundation

/// Lines of (x, y) points on numeric axes, with optional dashed reference lines,
/// per-point markers and "×" marks (refused rounds).
struct LineChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        var colour: String
        var marker: MarkerShape? = nil
        var dash: String? = nil
    }

    struct Reference {
        var y: Double
        var colour: String
        var tooltip: String
    }

    struct Cross {
        var x: Double
        var y: Double
        var colour: String
        var tooltip: String
    }

    var id: String
    var title: String
    var description: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var crosses: [Cross] = []
    /// Horizontal dashed lines across the whole plot (e.g. a budget).
    var references: [Reference] = []
    var legend: [LegendEntry]
    var width = 760.0
    var height = 360.0
    var yIncludesZero = true
    var integerX = true
    /// Extra x range beyond the outer ticks, so markers do not sit on the axes.
    var xPadding = 0.0
    var yFormat: (Double) -> String = { Format.number($0) }
    var tooltip: (Series, Double, Double) -> String = { s, x, y in "\(s.name): \(Format.number(x)), \(Format.number(y))" }

    struct Layout {
        let area: PlotArea
        let xAxis: NiceAxis
        let yAxis: NiceAxis
        let x: LinearScale
        let y: LinearScale
        let legendHeight: Double
    }

    /// Axes cover every finite point and cross; the plot area sits between the
    /// legend above and the tick labels below.
    func layout() -> Layout {
        let xs = (series.flatMap { $0.points.map(\.x) } + crosses.map(\.x)).map { integerX ? $0.rounded() : $0 }
        let ys = series.flatMap { $0.points.map(\.y) } + crosses.map(\.y) + references.map(\.y)
        let xAxis = NiceAxis(covering: xs, tickCount: 8, integer: integerX)
        let yAxis = NiceAxis(covering: ys, tickCount: 6, includeZero: yIncludesZero)
        let tickWidth = yAxis.ticks.map { SVG.textWidth(yFormat($0), size: 11) }.max() ?? 20
        let left = (yLabel.isEmpty ? 8 : 34) + tickWidth + 10
        let legendHeight = SVG.legendLayout(legend, maxWidth: width - left - 16).height
        let top = 14 + legendHeight + 8
        let area = PlotArea(left: left, top: top, width: width - left - 20, height: height - top - 52)
        return Layout(area: area, xAxis: xAxis, yAxis: yAxis,
                      x: LinearScale(domain: (xAxis.lo - xPadding, xAxis.hi + xPadding), range: (area.left, area.right)),
                      y: LinearScale(domain: (yAxis.lo, yAxis.hi), range: (area.bottom, area.top)),
                      legendHeight: legendHeight)
    }

    func render() -> String {
        let l = layout()
        var svg = SVG(width: width, height: height, id: id, title: title, description: description)
        svg.legend(legend, x: l.area.left, y: 12, maxWidth: width - l.area.left - 16)
        svg.yAxis(l.yAxis, l.y, l.area, label: yLabel, format: yFormat)
        svg.xAxis(l.xAxis, l.x, l.area, label: xLabel, format: { Format.number($0) })
        for r in references where r.y.isFinite {
            let y = l.y(r.y)
            svg.markup.open("g", [])
            svg.markup.element("title", [], r.tooltip)
            svg.line(l.area.left, y, l.area.right, y, stroke: r.colour, width: 1.75, dash: "6 4")
            svg.markup.close("g")
        }
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            let mapped = pts.map { (l.x($0.x), l.y($0.y)) }
            if mapped.count > 1 {
                svg.polyline(mapped, stroke: s.colour, width: s.dash == nil ? 2.5 : 1.75, dash: s.dash)
            }
            if let shape = s.marker ?? (mapped.count == 1 ? .circle : nil) {
                for (p, m) in zip(pts, mapped) {
                    svg.marker(shape, m.0, m.1, fill: s.colour, tooltip: tooltip(s, p.x, p.y))
                }
            }
        }
        for c in crosses where c.x.isFinite && c.y.isFinite {
            svg.cross(l.x(c.x), l.y(c.y), stroke: c.colour, tooltip: c.tooltip)
        }
        return svg.finish()
    }
}
