import Foundation

/// One horizontal bar per label from a zero baseline, labels on the left and the
/// value at the end of each bar: suits long names such as protocol phases.
struct HorizontalBarChart {
    var id: String
    var title: String
    var description: String
    var labels: [String]
    var values: [Double]
    var xLabel: String
    var colour = Palette.colour(0)
    var width = 760.0
    var rowHeight = 26.0
    var format: (Double) -> String = { Format.number($0) }

    struct Layout {
        let area: PlotArea
        let axis: NiceAxis
        let x: LinearScale
        let labelWidth: Double
    }

    var height: Double { 16 + rowHeight * Double(max(1, labels.count)) + 48 }

    func layout() -> Layout {
        let axis = NiceAxis(covering: values, tickCount: 6, includeZero: true)
        let labelWidth = min(240, max(60, labels.map { SVG.textWidth($0) }.max() ?? 60))
        let valueRoom = (values.map { SVG.textWidth(format($0), size: 11) }.max() ?? 30) + 12
        let area = PlotArea(left: 12 + labelWidth + 8, top: 16,
                            width: width - (12 + labelWidth + 8) - valueRoom - 8,
                            height: rowHeight * Double(max(1, labels.count)))
        return Layout(area: area, axis: axis, x: LinearScale(domain: (axis.lo, axis.hi), range: (area.left, area.right)),
                      labelWidth: labelWidth)
    }

    func render() -> String {
        let l = layout()
        var svg = SVG(width: width, height: height, id: id, title: title, description: description)
        svg.markup.open("g", [("class", "x-grid")])
        for t in l.axis.ticks {
            let x = l.x(t)
            svg.line(x, l.area.top, x, l.area.bottom, stroke: Palette.grid)
        }
        svg.markup.close("g")
        svg.xAxis(l.axis, l.x, l.area, label: xLabel, format: format)
        let baseline = l.x(0)
        for (i, label) in labels.enumerated() {
            let v = i < values.count ? values[i] : .nan
            let top = l.area.top + Double(i) * rowHeight
            let mid = top + rowHeight / 2
            svg.text(l.area.left - 8, mid + 4, SVG.fit(label, width: l.labelWidth), anchor: .end)
            if v.isFinite {
                let x = l.x(v)
                svg.rect(min(x, baseline), top + 4, abs(x - baseline), rowHeight - 8, fill: colour,
                         tooltip: "\(label): \(format(v))")
                svg.text(max(x, baseline) + 5, mid + 4, format(v), size: 11)
            } else {
                svg.text(baseline + 5, mid + 4, format(v), size: 11, fill: Palette.muted)
            }
        }
        svg.line(baseline, l.area.top, baseline, l.area.bottom, stroke: Palette.axis)
        return svg.finish()
    }
}
