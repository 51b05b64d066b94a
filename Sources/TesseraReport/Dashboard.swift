import Foundation

/// What the coordinator's live dashboard shows one principal (built by the job API from the
/// coordinator's state, already filtered by the access matrix: only results the viewer is a
/// reader of are here).
public struct DashboardModel: Sendable {
    public struct Member: Sendable {
        public var id: String
        public var role: String
        public var organisation: String
        /// For participants: whether a session is open now.
        public var connected: Bool?
        public init(id: String, role: String, organisation: String, connected: Bool?) {
            self.id = id; self.role = role; self.organisation = organisation; self.connected = connected
        }
    }

    public struct Job: Sendable {
        public var id: String
        public var kind: String
        public var scheme: String
        public var status: String
        public var proposer: String
        public var readers: [String]
        public var epsilon: String
        /// brand → "accepted", "refused: reason", or "held for steward".
        public var decisions: [(brand: String, decision: String)]
        public init(id: String, kind: String, scheme: String, status: String, proposer: String, readers: [String], epsilon: String,
                    decisions: [(brand: String, decision: String)]) {
            self.id = id; self.kind = kind; self.scheme = scheme; self.status = status; self.proposer = proposer
            self.readers = readers; self.epsilon = epsilon; self.decisions = decisions
        }
    }

    public struct Budget: Sendable {
        public var brand: String
        public var spent: Double
        /// spent + the remaining budget the brand declared with its latest decision (nil before any).
        public var total: Double?
        public init(brand: String, spent: Double, total: Double?) { self.brand = brand; self.spent = spent; self.total = total }
    }

    public struct Result: Sendable {
        public var job: String
        public var round: Int
        public var contributors: [String]
        public var sums: [Int64]
        public init(job: String, round: Int, contributors: [String], sums: [Int64]) {
            self.job = job; self.round = round; self.contributors = contributors; self.sums = sums
        }
    }

    public var federation: String
    public var viewer: String
    public var viewerRole: String
    public var generated: Date
    public var members: [Member]
    public var jobs: [Job]
    public var budgets: [Budget]
    public var results: [Result]
    /// "audit OK: …" or "audit FAILED …" for the live transcript.
    public var audit: String
    public var auditPassed: Bool

    public init(federation: String, viewer: String, viewerRole: String, generated: Date, members: [Member], jobs: [Job],
                budgets: [Budget], results: [Result], audit: String, auditPassed: Bool) {
        self.federation = federation; self.viewer = viewer; self.viewerRole = viewerRole; self.generated = generated
        self.members = members; self.jobs = jobs; self.budgets = budgets; self.results = results
        self.audit = audit; self.auditPassed = auditPassed
    }

    /// One self-contained page: inline CSS and SVG, no script, no external resource (the
    /// same stylesheet and charts as report.html). It refreshes itself every `refresh` seconds.
    public func html(refresh: Int = 5, maxRows: Int = 20) -> String {
        var m = Markup()
        m.raw("<!DOCTYPE html>\n")
        m.open("html", [("lang", "en")])
        m.open("head")
        m.empty("meta", [("charset", "utf-8")])
        m.empty("meta", [("http-equiv", "refresh"), ("content", String(refresh))])
        m.element("title", [], "Tessera dashboard: \(federation)")
        m.open("style")
        m.raw(Style.css)
        m.close("style")
        m.close("head")
        m.open("body")
        m.open("main")
        m.element("h1", [], "Federation \(federation)")
        m.element("p", [("class", "meta")], "Seen by \(viewer) (\(viewerRole)) at \(ISO8601DateFormatter().string(from: generated)); refreshes every \(refresh) s.")
        m.element("p", [("id", "audit"), ("class", auditPassed ? "ok" : "fail")], audit)

        m.open("section", [("id", "members")])
        m.element("h2", [], "Members")
        HTMLTable(caption: nil, columns: [.init(title: "Id"), .init(title: "Role"), .init(title: "Organisation"), .init(title: "Connected")],
                  rows: members.map { [.init($0.id), .init($0.role), .init($0.organisation),
                                       .init($0.connected.map { $0 ? "connected" : "not connected" } ?? "—")] },
                  maxRows: 500).render(into: &m)
        m.close("section")

        m.open("section", [("id", "jobs")])
        m.element("h2", [], "Jobs")
        if jobs.isEmpty { m.element("p", [], "No job has been submitted.") }
        HTMLTable(caption: nil, columns: [.init(title: "Job"), .init(title: "Kind"), .init(title: "Scheme"), .init(title: "Status"),
                                          .init(title: "Proposer"), .init(title: "Readers"), .init(title: "ε", numeric: true), .init(title: "Decisions")],
                  rows: jobs.map { j in [.init(j.id), .init(j.kind), .init(j.scheme), .init(j.status, classes: ["status-\(j.status)"]), .init(j.proposer),
                                         .init(j.readers.joined(separator: ", ")), .init(j.epsilon),
                                         .init(j.decisions.map { "\($0.brand): \($0.decision)" }.joined(separator: "; "))] },
                  maxRows: 1000).render(into: &m)
        m.close("section")

        m.open("section", [("id", "budgets")])
        m.element("h2", [], "Privacy budgets")
        if budgets.isEmpty { m.element("p", [], "No brand has spent or declared a budget yet.") } else {
            let chart = HorizontalBarChart(id: "chart-budgets", title: "ε spent per brand",
                                           description: budgets.map { "\($0.brand) \(Format.number($0.spent)) of \($0.total.map { Format.number($0) } ?? "?")" }.joined(separator: "; "),
                                           labels: budgets.map(\.brand), values: budgets.map(\.spent), xLabel: "ε spent (released rounds)",
                                           colour: Palette.colour(1), width: 900)
            m.open("figure")
            m.raw(chart.render())
            m.element("figcaption", [], "Privacy spent by each brand's released rounds, as the coordinator recorded them; each brand's own ledger is the authority.")
            m.close("figure")
            HTMLTable(caption: nil, columns: [.init(title: "Brand"), .init(title: "ε spent", numeric: true), .init(title: "ε total", numeric: true),
                                              .init(title: "Share spent", numeric: true)],
                      rows: budgets.map { b in [.init(b.brand), .init(Format.number(b.spent)), .init(b.total.map { Format.number($0) } ?? "—"),
                                                .init(b.total.flatMap { $0 > 0 ? Format.number(100 * b.spent / $0) + "%" : nil } ?? "—")] },
                      maxRows: 500).render(into: &m)
        }
        m.close("section")

        m.open("section", [("id", "results")])
        m.element("h2", [], "Released results you may read")
        if results.isEmpty { m.element("p", [], "None: no released job names \(viewer) among its readers.") }
        for r in results {
            m.element("h3", [], "\(r.job), round \(r.round) (\(r.contributors.count) contributors: \(r.contributors.joined(separator: ", ")))")
            let shown = Array(r.sums.prefix(maxRows))
            let chart = HorizontalBarChart(id: "chart-\(r.job)-\(r.round)", title: "\(r.job) round \(r.round)",
                                           description: "The first \(shown.count) released sums.",
                                           labels: shown.indices.map { "value \($0)" }, values: shown.map(Double.init), xLabel: "Released sum",
                                           colour: Palette.colour(2), width: 900)
            m.open("figure")
            m.raw(chart.render())
            m.close("figure")
            HTMLTable(caption: nil, columns: [.init(title: "Index", numeric: true), .init(title: "Sum", numeric: true)],
                      rows: r.sums.enumerated().map { [.init(String($0.offset)), .init(String($0.element))] }, maxRows: maxRows,
                      elsewhere: "tessera job result \(r.job) --csv gives every value.").render(into: &m)
        }
        m.close("section")
        m.close("main")
        m.close("body")
        m.close("html")
        m.newline()
        return m.text
    }
}
