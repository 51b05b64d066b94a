import Foundation

extension ReportPage {
    func privacySection(_ m: inout Markup) {
        openSection(&m, "privacy")
        let ledger = report.ledger
        if ledger.isEmpty {
            none(&m, "No privacy ledger was recorded.")
            m.close("section")
            return
        }
        let chart = privacyChart()
        let plotted = ledger.contains { l in l.entries.contains { $0.epsilonSpent.isFinite } } || ledger.contains { !$0.refusals.isEmpty }
        if plotted {
            m.open("figure")
            m.raw(chart.render())
            m.element("figcaption", [], "Cumulative ε each participant has spent after each round (solid, with markers) against its own budget (dashed, same colour). An × marks a round the participant refused because it would have exceeded its budget; it sits at the spend the participant kept."
                      + (ledger.count > 1 ? " Lines are shifted slightly sideways so that equal spends stay visible." : ""))
            m.close("figure")
        }
        HTMLTable(caption: "Ledger at the end of the run", columns: [
            .init(title: "Participant"), .init(title: "Budget ε", numeric: true), .init(title: "Budget δ", numeric: true),
            .init(title: "Spent ε", numeric: true), .init(title: "Spent δ", numeric: true),
            .init(title: "Used", numeric: true), .init(title: "Rounds recorded", numeric: true),
            .init(title: "Refused", numeric: true),
        ], rows: ledger.map { l in
            let last = l.entries.last
            let used = fraction(last?.epsilonSpent ?? 0, l.budgetEpsilon)
            return [.init(l.participant), .init(Format.number(l.budgetEpsilon)), .init(Format.number(l.budgetDelta)),
                    .init(Format.number(last?.epsilonSpent ?? 0)), .init(Format.number(last?.deltaSpent ?? 0)),
                    .init(percent(used), classes: used > 1 ? ["no"] : []),
                    .init(Format.integer(l.entries.count)), .init(Format.integer(l.refusals.count))]
        }, maxRows: maxRows).render(into: &m)

        let refusals = ledger.flatMap { l in l.refusals.map { (l.participant, $0) } }
        m.element("h3", [], "Refused rounds")
        if refusals.isEmpty {
            none(&m, "No participant refused a round.")
        } else {
            HTMLTable(caption: nil, columns: [
                .init(title: "Participant"), .init(title: "Round", numeric: true), .init(title: "Job"), .init(title: "Reason"),
            ], rows: refusals.map { p, r in
                [.init(p), .init(String(r.round)), .init(r.job ?? "—"), .init(r.reason)]
            }, maxRows: maxRows).render(into: &m)
        }
        m.close("section")
    }

    func privacyChart() -> LineChart {
        var series: [LineChart.Series] = []
        var references: [LineChart.Reference] = []
        var crosses: [LineChart.Cross] = []
        var legend: [LegendEntry] = []
        var spoken: [String] = []
        // Participants in the same jobs spend identically, so their lines would hide one
        // another: each is shifted sideways by a small fraction of a round ("dodged").
        let n = Double(report.ledger.count)
        let dodge = min(0.08, 0.3 / max(1, n))
        for (i, l) in report.ledger.enumerated() {
            let colour = Palette.colour(i)
            let shape = MarkerShape.shape(i)
            let entries = l.entries.sorted { $0.round < $1.round }
            let shift = (Double(i) - (n - 1) / 2) * dodge
            series.append(.init(name: l.participant, points: entries.map { (Double($0.round) + shift, $0.epsilonSpent) },
                                colour: colour, marker: shape))
            references.append(.init(y: l.budgetEpsilon, colour: colour,
                                    tooltip: "\(l.participant) budget: ε = \(Format.number(l.budgetEpsilon))"))
            for r in l.refusals {
                let kept = entries.last { $0.round < r.round }?.epsilonSpent ?? 0
                crosses.append(.init(x: Double(r.round) + shift, y: kept, colour: colour,
                                     tooltip: "\(l.participant) refused round \(r.round): \(r.reason)"))
            }
            legend.append(LegendEntry(label: l.participant, colour: colour, style: .marker(shape)))
            spoken.append("\(l.participant) spent ε \(Format.number(entries.last?.epsilonSpent ?? 0)) of \(Format.number(l.budgetEpsilon)) over \(entries.count) rounds, refused \(l.refusals.count)")
        }
        legend.append(LegendEntry(label: "budget", colour: Palette.muted, style: .dashed))
        if !crosses.isEmpty { legend.append(LegendEntry(label: "refused round", colour: Palette.muted, style: .cross)) }
        return LineChart(
            id: "chart-privacy", title: "Cumulative privacy spent per round",
            description: spoken.joined(separator: "; ") + ".",
            xLabel: "Round", yLabel: "Cumulative ε spent", series: series, crosses: crosses,
            references: references, legend: legend,
            width: 1000, xPadding: 0.3, tooltip: { s, x, y in "\(s.name), round \(Format.number(x.rounded())): ε spent \(Format.number(y))" })
    }
}
