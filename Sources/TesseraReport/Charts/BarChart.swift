import Foundation

/// Vertical bars grouped by category, one bar per series, from a zero baseline.
struct BarChart {
    struct Series {
        var name: String
        var values: [Double]
        var colour: String
    }

    var id: String
    var title: String
    var description: String
    var categories: [String]
    var series: [Series]
    var yLabel: String
    var width = 760.0
    var height = 320.0
    /// Colours per category instead of per series (one series, no legend needed).
    var categoryColours: [String]? = nil
    var yFormat: (Double) -> String = { Format.number($0) }
    var valueFormat: (Double) -> String = { Format.number($0) }

    struct Layout {
        let area: PlotArea
        let axis: NiceAxis
        let y: LinearScale
        let groupWidth: Double
        let barWidth: Double
        let legendHeight: Double
    }

    var showsLegend: Bool { series.count > 1 && categoryColours == nil }

    func layout() -> Layout {
        let axis = NiceAxis(covering: series.flatMap(\.values), tickCount: 6, includeZero: true)
        let tickWidth = axis.ticks.map { SVG.textWidth(yFormat($0), size: 11) }.max() ?? 20
        let left = (yLabel.isEmpty ? 8 : 34) + tickWidth + 10
        let legendHeight = showsLegend ? SVG.legendLayout(legendEntries, maxWidth: width - left - 16).height : 0
        // Room above the tallest bar for its value label.
        let top = 14 + legendHeight + 14
        let area = PlotArea(left: left, top: top, width: width - left - 16, height: height - top - 56)
        let groupWidth = area.width / Double(max(1, categories.count))
        let barWidth = min(64, groupWidth * 0.75 / Double(max(1, series.count)))
        return Layout(area: area, axis: axis, y: LinearScale(domain: (axis.lo, axis.hi), range: (area.bottom, area.top)),
                      groupWidth: groupWidth, barWidth: barWidth, legendHeight: legendHeight)
    }

    var legendEntries: [LegendEntry] { series.map { LegendEntry(label: $0.name, colour: $0.colour, style: .box) } }

    func render() -> String {
        let l = layout()
        var svg = SVG(width: width, height: height, id: id, title: title, description: description)
        if showsLegend { svg.legend(legendEntries, x: l.area.left, y: 12, maxWidth: width - l.area.left - 16) }
        svg.yAxis(l.axis, l.y, l.area, label: yLabel, format: yFormat)
        let baseline = l.y(0)
        for (ci, category) in categories.enumerated() {
            let groupLeft = l.area.left + Double(ci) * l.groupWidth
            let barsWidth = l.barWidth * Double(series.count)
            let start = groupLeft + (l.groupWidth - barsWidth) / 2
            for (si, s) in series.enumerated() {
                let v = ci < s.values.count ? s.values[ci] : .nan
                let x = start + Double(si) * l.barWidth
                let colour = categoryColours.map { Palette.colourAt($0, ci) } ?? s.colour
                let tip = "\(category), \(s.name): \(valueFormat(v))"
                if v.isFinite {
                    let y = l.y(v)
                    svg.rect(x + 1, min(y, baseline), l.barWidth - 2, abs(baseline - y), fill: colour, tooltip: tip)
                    svg.text(x + l.barWidth / 2, v >= 0 ? y - 4 : y + 13, valueFormat(v), anchor: .middle, size: 10.5)
                } else {
                    // Not plottable: say so where the bar would be.
                    svg.text(x + l.barWidth / 2, baseline - 4, valueFormat(v), anchor: .middle, size: 10.5, fill: Palette.muted)
                }
            }
            svg.text(groupLeft + l.groupWidth / 2, l.area.bottom + 18,
                     SVG.fit(category, width: l.groupWidth - 4), anchor: .middle)
        }
        svg.line(l.area.left, baseline, l.area.right, baseline, stroke: Palette.axis)
        return svg.finish()
    }
}

extension Palette {
    static func colourAt(_ list: [String], _ i: Int) -> String { list.isEmpty ? colour(i) : list[i % list.count] }
}
