import Foundation

/// Colours from Okabe & Ito, "Color Universal Design" (2008): distinguishable with
/// common colour-vision deficiencies and of distinct lightness in greyscale print.
enum Palette {
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static func colour(_ i: Int) -> String { colours[((i % colours.count) + colours.count) % colours.count] }
    static let axis = "#333333"
    static let grid = "#e3e3e3"
    static let muted = "#666666"
}

/// Marker shapes cycle with the colours so series stay apart in black and white.
enum MarkerShape: CaseIterable {
    case circle, square, triangle, diamond
    static func shape(_ i: Int) -> MarkerShape { allCases[i % allCases.count] }
}

/// Pixel rectangle of a chart's plotting area inside its SVG.
struct PlotArea {
    let left: Double, top: Double, width: Double, height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }
}

/// Minimal SVG writer on top of `Markup`: coordinates with one decimal, text escaped.
struct SVG {
    var markup = Markup()
    let width: Double
    let height: Double

    static let namespace = "http://www.w3.org/2000/svg"
    static let fontSize = 12.0

    /// Rough advance width of sans-serif text; used only to lay out labels.
    static func textWidth(_ s: String, size: Double = fontSize) -> Double {
        Double(s.count) * size * 0.56
    }

    /// Shortens a label to at most `width` pixels, ending in "…".
    static func fit(_ s: String, width: Double, size: Double = fontSize) -> String {
        let maxChars = max(1, Int(width / (size * 0.56)))
        if s.count <= maxChars { return s }
        return String(s.prefix(max(0, maxChars - 1))) + "…"
    }

    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return Format.trimZeros(String(format: "%.1f", r == 0 ? 0 : r))
    }

    /// Opens the root element with an accessible name and description.
    init(width: Double, height: Double, id: String, title: String, description: String) {
        self.width = width
        self.height = height
        markup.open("svg", [
            ("xmlns", Self.namespace), ("width", Self.n(width)), ("height", Self.n(height)),
            ("viewBox", "0 0 \(Self.n(width)) \(Self.n(height))"), ("role", "img"),
            ("aria-labelledby", "\(id)-title \(id)-desc"), ("font-family", "sans-serif"),
            ("font-size", Self.n(Self.fontSize)), ("class", "chart"),
        ])
        markup.element("title", [("id", "\(id)-title")], title)
        markup.element("desc", [("id", "\(id)-desc")], description)
    }

    mutating func finish() -> String {
        markup.close("svg")
        return markup.text
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String, width: Double = 1, dash: String? = nil) {
        var a: Markup.Attributes = [("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)),
                                    ("stroke", stroke), ("stroke-width", Self.n(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        markup.empty("line", a)
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                       stroke: String? = nil, tooltip: String? = nil) {
        var a: Markup.Attributes = [("x", Self.n(x)), ("y", Self.n(y)), ("width", Self.n(max(0, w))),
                                    ("height", Self.n(max(0, h))), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        if let tooltip {
            markup.open("rect", a)
            markup.element("title", [], tooltip)
            markup.close("rect")
        } else {
            markup.empty("rect", a)
        }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ s: String, anchor: Anchor = .start,
                       size: Double? = nil, fill: String = Palette.axis, bold: Bool = false,
                       rotate: Bool = false) {
        var a: Markup.Attributes = [("x", Self.n(x)), ("y", Self.n(y))]
        if anchor != .start { a.append(("text-anchor", anchor.rawValue)) }
        if let size { a.append(("font-size", Self.n(size))) }
        a.append(("fill", fill))
        if bold { a.append(("font-weight", "bold")) }
        if rotate { a.append(("transform", "rotate(-90 \(Self.n(x)) \(Self.n(y)))")) }
        markup.element("text", a, s)
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        var a: Markup.Attributes = [("points", points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")),
                                    ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.n(width)),
                                    ("stroke-linejoin", "round")]
        if let dash { a.append(("stroke-dasharray", dash)) }
        markup.empty("polyline", a)
    }

    /// A data marker with its value as a tooltip (and for screen readers).
    mutating func marker(_ shape: MarkerShape, _ x: Double, _ y: Double, fill: String,
                         size: Double = 4, tooltip: String? = nil) {
        let (tag, attributes): (String, Markup.Attributes)
        switch shape {
        case .circle:
            (tag, attributes) = ("circle", [("cx", Self.n(x)), ("cy", Self.n(y)), ("r", Self.n(size))])
        case .square:
            let s = size * 0.9
            (tag, attributes) = ("rect", [("x", Self.n(x - s)), ("y", Self.n(y - s)), ("width", Self.n(2 * s)), ("height", Self.n(2 * s))])
        case .triangle:
            let s = size * 1.2
            (tag, attributes) = ("polygon", [("points", "\(Self.n(x)),\(Self.n(y - s)) \(Self.n(x + s)),\(Self.n(y + s * 0.8)) \(Self.n(x - s)),\(Self.n(y + s * 0.8))")])
        case .diamond:
            let s = size * 1.25
            (tag, attributes) = ("polygon", [("points", "\(Self.n(x)),\(Self.n(y - s)) \(Self.n(x + s)),\(Self.n(y)) \(Self.n(x)),\(Self.n(y + s)) \(Self.n(x - s)),\(Self.n(y))")])
        }
        let all = attributes + [("fill", fill), ("stroke", "#ffffff"), ("stroke-width", "1")]
        if let tooltip {
            markup.open(tag, all)
            markup.element("title", [], tooltip)
            markup.close(tag)
        } else {
            markup.empty(tag, all)
        }
    }

    /// An "×" mark, used for refused rounds.
    mutating func cross(_ x: Double, _ y: Double, stroke: String, size: Double = 5, tooltip: String? = nil) {
        markup.open("g", [("stroke", stroke), ("stroke-width", "2.5"), ("stroke-linecap", "round")])
        if let tooltip { markup.element("title", [], tooltip) }
        line(x - size, y - size, x + size, y + size, stroke: stroke, width: 2.5)
        line(x - size, y + size, x + size, y - size, stroke: stroke, width: 2.5)
        markup.close("g")
    }
}
