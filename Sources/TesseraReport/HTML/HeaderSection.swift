import Foundation

extension ReportPage {
    func header(_ m: inout Markup) {
        let md = report.metadata
        m.open("header", [("class", "run")])
        m.element("p", [("class", "eyebrow")], "Tessera federation · simulation report")
        m.element("h1", [], md.scenario.isEmpty ? "Unnamed scenario" : md.scenario)
        if !md.description.isEmpty { m.element("p", [("class", "lede")], md.description) }
        m.open("div", [("class", "verdict-line")])
        let label: String
        switch md.audit.status {
        case .passed: label = "AUDIT PASSED"
        case .failed: label = "AUDIT FAILED"
        case .notAudited: label = "NOT AUDITED"
        }
        m.element("span", [("class", "verdict \(md.audit.status.rawValue)")], label)
        m.element("span", [("class", "verdict-detail")], md.audit.detail)
        m.close("div")
        m.open("dl", [("class", "meta")])
        let items: [(String, String, Bool)] = [
            ("Date", md.date, false),
            ("Seed", String(md.seed), false),
            ("Backend", md.backend, false),
            ("Paillier key", md.keyBits > 0 ? "\(Format.integer(md.keyBits))-bit" : "none (no dealer)", false),
            ("Decryption threshold", "\(md.threshold) of \(md.participants)", false),
            ("Wall time", Format.seconds(md.wallSeconds), false),
            ("Transcript root", md.transcriptRoot.isEmpty ? "—" : md.transcriptRoot, true),
        ]
        for (k, v, wide) in items {
            m.open("div", wide ? [("class", "wide")] : [])
            m.element("dt", [], k)
            m.element("dd", wide ? [("class", "mono")] : [], v)
            m.close("div")
        }
        m.close("dl")
        m.close("header")
        m.open("nav", [("class", "toc"), ("aria-label", "Sections")])
        for s in Self.sections {
            m.element("a", [("href", "#\(s.id)")], s.title)
        }
        m.close("nav")
    }

    func summary(_ m: inout Markup) {
        openSection(&m, "summary")
        m.open("div", [("class", "cards")])
        let md = report.metadata
        card(&m, "Participants", "\(md.participants)", "threshold \(md.threshold) of \(md.participants)")
        let rounds = report.jobs.reduce(0) { $0 + $1.rounds }
        card(&m, "Jobs", "\(report.jobs.count)", "\(rounds) \(rounds == 1 ? "round" : "rounds") declared")

        // Privacy: the participant closest to its budget.
        let usage = report.ledger.map { l -> (String, Double, Double) in
            (l.participant, l.entries.last?.epsilonSpent ?? 0, l.budgetEpsilon)
        }
        if let top = usage.max(by: { fraction($0.1, $0.2) < fraction($1.1, $1.2) }) {
            card(&m, "Largest privacy spend", "ε \(Format.number(top.1)) of \(Format.number(top.2))",
                 "\(top.0) (\(percent(fraction(top.1, top.2))) of its budget)",
                 style: fraction(top.1, top.2) > 0.9 ? "warn" : "")
        } else {
            card(&m, "Largest privacy spend", "—", "no ledger recorded")
        }
        let refusals = report.ledger.reduce(0) { $0 + $1.refusals.count }
        card(&m, "Refused rounds", "\(refusals)", refusals == 0 ? "every round within budget" : "refused before data was touched",
             style: refusals > 0 ? "warn" : "ok")
        let judged = report.utility.filter { $0.met != nil }
        let met = judged.filter { $0.met == true }.count
        if judged.isEmpty {
            card(&m, "Utility targets", "—", "\(report.utility.count) \(report.utility.count == 1 ? "metric" : "metrics"), no targets set")
        } else {
            card(&m, "Utility targets", "\(met) of \(judged.count) met", "federated vs centralized",
                 style: met == judged.count ? "ok" : "warn")
        }
        card(&m, "Faults injected", "\(report.faults.count)", report.faults.isEmpty ? "none" : Set(report.faults.map(\.kind)).sorted().joined(separator: ", "),
             style: report.faults.isEmpty ? "" : "warn")
        let sent = report.traffic.reduce(0.0) { $0 + Double($1.bytesSent) }
        let received = report.traffic.reduce(0.0) { $0 + Double($1.bytesReceived) }
        card(&m, "Participant traffic", Format.bytes(sent + received), "\(Format.bytes(sent)) sent, \(Format.bytes(received)) received")
        card(&m, "Wall time", Format.seconds(md.wallSeconds), "whole simulation")
        m.close("div")
        m.close("section")
    }

    private func card(_ m: inout Markup, _ key: String, _ value: String, _ sub: String, style: String = "") {
        m.open("div", [("class", style.isEmpty ? "card" : "card \(style)")])
        m.element("div", [("class", "k")], key)
        m.element("div", [("class", "v")], value)
        m.element("div", [("class", "s")], sub)
        m.close("div")
    }

    func fraction(_ spent: Double, _ budget: Double) -> Double {
        guard budget > 0, budget.isFinite, spent.isFinite else { return spent > 0 ? .infinity : 0 }
        return spent / budget
    }

    func percent(_ f: Double) -> String {
        f.isFinite ? "\(Format.number((f * 100).rounded()))%" : "n/a"
    }
}
