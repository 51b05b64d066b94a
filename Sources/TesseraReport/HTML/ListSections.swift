import Foundation

extension ReportPage {
    func jobsSection(_ m: inout Markup) {
        openSection(&m, "jobs")
        if report.jobs.isEmpty {
            none(&m, "No jobs recorded.")
        } else {
            HTMLTable(caption: nil, columns: [
                .init(title: "Job"), .init(title: "Kind"), .init(title: "Rounds", numeric: true),
                .init(title: "ε declared", numeric: true), .init(title: "δ declared", numeric: true),
            ], rows: report.jobs.map { j in
                [.init(j.id), .init(j.kind), .init(Format.integer(j.rounds)),
                 .init(Format.number(j.epsilon)), .init(Format.number(j.delta))]
            }, maxRows: maxRows).render(into: &m)
        }
        m.close("section")
    }

    func faultsSection(_ m: inout Markup) {
        openSection(&m, "faults")
        if report.faults.isEmpty {
            none(&m, "No faults were injected.")
        } else {
            HTMLTable(caption: nil, columns: [
                .init(title: "Fault"), .init(title: "Participant"), .init(title: "Round", numeric: true),
                .init(title: "What happened"), .init(title: "How the federation handled it"),
            ], rows: report.faults.map { f in
                [.init(f.kind), .init(f.participant ?? "—"), .init(f.round.map { String($0) } ?? "—"),
                 .init(f.effect), .init(f.handling)]
            }, maxRows: maxRows).render(into: &m)
        }
        m.close("section")
    }

    func notesSection(_ m: inout Markup) {
        openSection(&m, "notes")
        if report.notes.isEmpty {
            none(&m, "No notes.")
        } else {
            m.open("ul", [("class", "notes")])
            for n in report.notes { m.element("li", [], n) }
            m.close("ul")
        }
        m.close("section")
    }
}
