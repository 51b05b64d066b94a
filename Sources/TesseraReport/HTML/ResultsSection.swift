import Foundation

extension ReportPage {
    func tablesSection(_ m: inout Markup) {
        openSection(&m, "results")
        if report.tables.isEmpty {
            none(&m, "No result tables were released.")
        }
        for t in report.tables {
            m.element("h3", [], t.title)
            if t.rows.isEmpty {
                none(&m, "The table has no rows.")
                continue
            }
            let width = max(t.columns.count, t.rows.map(\.count).max() ?? 0)
            let columns = (0..<width).map { i -> HTMLTable.Column in
                let cells = t.rows.compactMap { i < $0.count ? $0[i] : nil }
                let numeric = !cells.isEmpty && cells.allSatisfy { if case .number = $0.value { return true } else { return false } }
                return .init(title: i < t.columns.count ? t.columns[i] : "", numeric: numeric)
            }
            let rows = t.rows.map { row in
                row.map { cell -> HTMLTable.Cell in
                    let text: String
                    switch cell.value {
                    case .text(let s): text = s
                    case .number(let x): text = Format.number(x)
                    }
                    return HTMLTable.Cell(text, error: cell.error.map { Format.number($0) },
                                          classes: cell.suppressed ? ["suppressed"] : [],
                                          tooltip: cell.suppressed ? "suppressed: below the minimum noised count, not released" : nil)
                }
            }
            HTMLTable(caption: nil, columns: columns, rows: rows, maxRows: maxRows).render(into: &m)
            if t.rows.contains(where: { $0.contains(where: \.suppressed) }) {
                m.element("p", [("class", "more")], "Grey hatched cells are suppressed: below the minimum noised count, so not part of the released result. ± is the noise’s standard deviation where given.")
            } else if t.rows.contains(where: { $0.contains { $0.error != nil } }) {
                m.element("p", [("class", "more")], "± is the noise’s standard deviation where given.")
            }
        }
        m.close("section")
    }
}
