import Foundation

/// One key of a chart legend.
struct LegendEntry {
    enum Style { case line, dashed, box, cross, marker(MarkerShape) }
    let label: String
    let colour: String
    let style: Style
}

extension SVG {
    static let legendRowHeight = 18.0

    /// Legend entries laid out left to right, wrapping at `maxWidth`; returns each
    /// entry's offset from the legend's top-left corner and the total height.
    static func legendLayout(_ entries: [LegendEntry], maxWidth: Double) -> (offsets: [(Double, Double)], height: Double) {
        var offsets: [(Double, Double)] = []
        var x = 0.0, y = 0.0
        for e in entries {
            let w = 30 + textWidth(e.label) + 18
            if x > 0 && x + w > maxWidth { x = 0; y += legendRowHeight }
            offsets.append((x, y))
            x += w
        }
        return (offsets, entries.isEmpty ? 0 : y + legendRowHeight)
    }

    mutating func legend(_ entries: [LegendEntry], x: Double, y: Double, maxWidth: Double) {
        let layout = Self.legendLayout(entries, maxWidth: maxWidth)
        markup.open("g", [("class", "legend")])
        for (e, (dx, dy)) in zip(entries, layout.offsets) {
            let lx = x + dx, cy = y + dy + Self.legendRowHeight / 2
            switch e.style {
            case .line: line(lx, cy, lx + 24, cy, stroke: e.colour, width: 2.5)
            case .dashed: line(lx, cy, lx + 24, cy, stroke: e.colour, width: 2, dash: "6 4")
            case .box: rect(lx + 5, cy - 6, 14, 12, fill: e.colour)
            case .cross: cross(lx + 12, cy, stroke: e.colour, size: 4)
            case .marker(let shape):
                line(lx, cy, lx + 24, cy, stroke: e.colour, width: 2.5)
                marker(shape, lx + 12, cy, fill: e.colour)
            }
            text(lx + 30, cy + 4, e.label)
        }
        markup.close("g")
    }

    /// Horizontal grid lines, tick labels left of the plot, and a rotated axis label.
    mutating func yAxis(_ axis: NiceAxis, _ scale: LinearScale, _ area: PlotArea, label: String,
                        format: (Double) -> String) {
        markup.open("g", [("class", "y-axis")])
        for t in axis.ticks {
            let y = scale(t)
            line(area.left, y, area.right, y, stroke: t == 0 ? Palette.muted : Palette.grid)
            line(area.left - 5, y, area.left, y, stroke: Palette.axis)
            text(area.left - 8, y + 4, format(t), anchor: .end, size: 11)
        }
        line(area.left, area.top, area.left, area.bottom, stroke: Palette.axis)
        if !label.isEmpty {
            text(16, area.top + area.height / 2, label, anchor: .middle, bold: true, rotate: true)
        }
        markup.close("g")
    }

    /// Tick marks and labels under the plot for a numeric x axis, and the axis label.
    mutating func xAxis(_ axis: NiceAxis, _ scale: LinearScale, _ area: PlotArea, label: String,
                        format: (Double) -> String) {
        markup.open("g", [("class", "x-axis")])
        line(area.left, area.bottom, area.right, area.bottom, stroke: Palette.axis)
        for t in axis.ticks {
            let x = scale(t)
            line(x, area.bottom, x, area.bottom + 5, stroke: Palette.axis)
            text(x, area.bottom + 19, format(t), anchor: .middle, size: 11)
        }
        text(area.left + area.width / 2, area.bottom + 40, label, anchor: .middle, bold: true)
        markup.close("g")
    }
}
