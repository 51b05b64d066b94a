/// A plain HTML table with a cap on the rows shown.
struct HTMLTable {
    struct Column {
        var title: String
        var numeric = false
    }

    struct Cell {
        var text: String
        /// Shown after the value as "± error".
        var error: String? = nil
        var classes: [String] = []
        var tooltip: String? = nil

        init(_ text: String, error: String? = nil, classes: [String] = [], tooltip: String? = nil) {
            self.text = text
            self.error = error
            self.classes = classes
            self.tooltip = tooltip
        }
    }

    var caption: String?
    var columns: [Column]
    var rows: [[Cell]]
    var maxRows: Int
    /// Where the rows not shown can be found.
    var elsewhere = "report.json holds every row."

    func render(into m: inout Markup) {
        m.open("table")
        if let caption { m.element("caption", [], caption) }
        m.open("thead")
        m.open("tr")
        for c in columns { m.element("th", c.numeric ? [("class", "num"), ("scope", "col")] : [("scope", "col")], c.title) }
        m.close("tr")
        m.close("thead")
        m.open("tbody")
        for row in rows.prefix(max(0, maxRows)) {
            m.open("tr")
            for (i, cell) in row.enumerated() {
                var classes = cell.classes
                if i < columns.count, columns[i].numeric { classes.insert("num", at: 0) }
                var attributes: Markup.Attributes = classes.isEmpty ? [] : [("class", classes.joined(separator: " "))]
                if let tip = cell.tooltip { attributes.append(("title", tip)) }
                m.open("td", attributes)
                m.content(cell.text)
                if let e = cell.error {
                    m.element("span", [("class", "err")], " ± \(e)")
                }
                m.close("td")
            }
            // Short rows are padded so the grid stays aligned.
            for _ in row.count..<max(row.count, columns.count) { m.element("td", [], "") }
            m.close("tr")
        }
        m.close("tbody")
        m.close("table")
        let hidden = rows.count - max(0, maxRows)
        if hidden > 0 {
            m.element("p", [("class", "more")],
                      "\(Format.integer(hidden)) more \(hidden == 1 ? "row" : "rows") not shown (\(Format.integer(rows.count)) in all); \(elsewhere)")
        }
    }
}
