import Foundation
import TesseraAudit
import TesseraData
import TesseraKeys
import TesseraCoordinator
import TesseraParticipant
import TesseraProtocol
import TesseraState

/// Everything a simulation reports, gathered from the nodes' own state after the run: the
/// coordinator's results and transcript, each participant's ledger and decisions, and the
/// coordinator's metrics. Only public or aggregate figures: no raw data, no key material.
struct SimulationSummary: Codable {
    struct Run: Codable {
        var scenario: String
        var description: String
        var seed: UInt64
        var transcriptRoot: String
        var transcriptEntries: Int
        var audit: String
        var mode: String
        var seconds: Double
        /// The schemes the run's jobs used, described for the report.
        var backend: String
        /// Bits of the Paillier modulus when a job used the Paillier scheme, else 0.
        var keyBits: Int
        var threshold: Int
        var participants: [String]
    }
    struct RoundResult: Codable {
        var round: Int
        var contributors: [String]
        var holders: [String]
        var sums: [Int64]
    }
    struct Job: Codable {
        var id: String
        var kind: String
        var rounds: Int
        var epsilon: Double
        var delta: Double
        var status: String
        var seconds: Double
        var phaseSeconds: [String: Double]
        var results: [RoundResult]
    }
    struct Ledger: Codable {
        struct Spend: Codable { var job: String; var round: Int; var epsilon: Double; var cumulativeEpsilon: Double; var delta: Double; var cumulativeDelta: Double }
        struct Refusal: Codable { var job: String; var reason: String }
        var participant: String
        var budgetEpsilon: Double
        var budgetDelta: Double
        var spends: [Spend]
        var refusals: [Refusal]
        var bytesSent: Double
        var bytesReceived: Double
    }
    struct FaultOutcome: Codable { var fault: Fault; var outcome: String }

    var run: Run
    var jobs: [Job]
    var ledgers: [Ledger]
    var faults: [FaultOutcome]
    var utility: [UtilityReport]

    static func collect(scenario s: Scenario, seed: UInt64, context c: RunContext, runs: [String: JobRun], entries: [Transcript.Entry],
                        audit: Auditor.Report, root: String, mode: String, seconds: Double) throws -> SimulationSummary {
        let store = try CoordinatorStore(path: c.coordinatorState)
        let keys = try FederationKeys.load(directory: c.keys)
        let federation = try keys.federationInfo
        let schemes = Set(s.jobs.map(\.scheme))
        let paillier = schemes.contains("paillier") ? try keys.thresholdKey : nil
        let threshold = paillier?.threshold ?? federation.keyThreshold
        let backend = schemes.sorted().map {
            $0 == "paillier" ? "threshold Paillier (\(paillier?.paillier.bits ?? 0)-bit, dealt)"
                             : "one-shot (RLWE mask n = 2048, DKG ElGamal key layer on ristretto255, t = \(federation.keyThreshold))"
        }.joined(separator: " and ")
        // Holders whose verified partial decryptions entered the transcript, per (job, round).
        var holders: [String: [String]] = [:]
        for e in entries where e.kind == "partial_decryptions" {
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: e.envelope).body)
            holders["\(body.jobID)/\(body.round)", default: []].append(e.author)
        }
        var jobs: [Job] = []
        var utility: [UtilityReport] = []
        let metrics = runs.mapValues { MetricsText($0.metrics) }
        for definition in s.jobs {
            let row = try store.jobs().first { $0.id == definition.id }
            let spec = try row.map { try Tessera_V1_JobSpec(serializedBytes: $0.spec) }
            var results: [RoundResult] = []
            for round in 1...max(1, Int(spec?.rounds ?? 1)) {
                guard let r = try store.result(job: definition.id, round: round) else { continue }
                results.append(RoundResult(round: round, contributors: r.contributors, holders: holders["\(definition.id)/\(round)"] ?? [], sums: r.sums))
            }
            if let spec, let lastRound = results.last {
                let all = results.map(\.sums)
                if let u = try UtilityReport.evaluate(job: definition, spec: spec, results: all, contributors: lastRound.contributors,
                                                      orders: c.ordersPaths, seed: seed, largeCellCustomers: s.largeCellCustomers) { utility.append(u) }
            }
            jobs.append(Job(id: definition.id, kind: definition.kind, rounds: Int(spec?.rounds ?? 0),
                            epsilon: Double(spec?.epsilon ?? "0") ?? 0, delta: Double(spec?.delta ?? "0") ?? 0,
                            status: row?.status ?? "not started", seconds: runs[definition.id]?.seconds ?? 0,
                            phaseSeconds: metrics[definition.id]?.family("tessera_phase_seconds_total", label: "phase") ?? [:], results: results))
        }
        var ledgers: [Ledger] = []
        for brand in s.brands {
            let ps = try ParticipantStore(path: c.participantState(brand))
            var cumulative = (epsilon: 0.0, delta: 0.0)
            let spends = try ps.ledger().map { e -> Ledger.Spend in
                cumulative.epsilon += e.epsilon
                cumulative.delta += e.delta
                return .init(job: e.job, round: e.round, epsilon: e.epsilon, cumulativeEpsilon: cumulative.epsilon, delta: e.delta,
                             cumulativeDelta: cumulative.delta)
            }
            let refusals = try s.jobs.compactMap { job in try ps.decision(job: job.id).flatMap { $0.accept ? nil : Ledger.Refusal(job: job.id, reason: $0.reason) } }
            let sent = metrics.values.map { $0.value("tessera_bytes_received_total", ["participant": brand]) }.reduce(0, +)
            let received = metrics.values.map { $0.value("tessera_bytes_sent_total", ["participant": brand]) }.reduce(0, +)
            let policy = s.policy(for: brand)
            ledgers.append(Ledger(participant: brand, budgetEpsilon: policy.budget.epsilon, budgetDelta: policy.budget.delta,
                                  spends: spends, refusals: refusals, bytesSent: sent, bytesReceived: received))
        }
        let faults = s.faults.map { f -> FaultOutcome in
            let jobIDs = f.job.map { [$0] } ?? s.jobs.map(\.id)
            let outcomes = jobIDs.compactMap { id -> String? in
                guard let job = jobs.first(where: { $0.id == id }) else { return nil }
                guard let r = job.results.first(where: { $0.round == f.round }) else { return "\(id) round \(f.round): no result" }
                let contributed = r.contributors.contains(f.participant)
                let shared = r.holders.contains(f.participant)
                switch f.kind {
                case .dropBeforeSubmit:
                    return "\(id) round \(f.round): released without \(f.participant) after the \(Int(s.roundTimeout)) s timeout; contributors \(r.contributors.joined(separator: ", "))"
                case .dropBeforeShare:
                    return "\(id) round \(f.round): \(f.participant) \(contributed ? "contributed" : "did not contribute") and sent no share; decrypted by \(r.holders.joined(separator: ", ")) (t = \(threshold))"
                case .dropAfterSubmit:
                    return "\(id) round \(f.round): \(f.participant) stopped after its submission was stored; \(contributed ? "its update counted" : "its update is missing"); contributors \(r.contributors.joined(separator: ", "))"
                case .inconsistentMask, .dkgBadShare, .dkgFalseJustification:
                    return "\(id) round \(f.round): \(f.kind.rawValue) by \(f.participant); contributors \(r.contributors.joined(separator: ", "))"
                case .late, .malformed, .replay:
                    let handled = f.kind == .late ? "waited for" : "rejected the bad frame with a named status and kept"
                    return "\(id) round \(f.round): the coordinator \(handled) \(f.participant); contributed: \(contributed), shared: \(shared)"
                }
            }
            return FaultOutcome(fault: f, outcome: outcomes.joined(separator: "; "))
        }
        let run = Run(scenario: s.name, description: s.description ?? "", seed: seed, transcriptRoot: root, transcriptEntries: audit.entries,
                      audit: "passed: chain, \(audit.entries) signatures, \(audit.rounds) aggregates and decryption proofs, privacy spend",
                      mode: mode, seconds: seconds, backend: backend, keyBits: paillier?.paillier.bits ?? 0, threshold: threshold,
                      participants: s.brands)
        return SimulationSummary(run: run, jobs: jobs, ledgers: ledgers, faults: faults, utility: utility)
    }

    func highlights() -> [String] {
        var lines: [String] = []
        for job in jobs {
            let last = job.results.last
            lines.append("job \(job.id): \(job.status), \(job.results.count)/\(job.rounds) round(s) released, ε = \(String(format: "%.3g", job.epsilon)), contributors of the last round: \(last?.contributors.joined(separator: ",") ?? "-")")
        }
        for l in ledgers {
            lines.append("ledger \(l.participant): spent ε = \(String(format: "%.3g", l.spends.last?.cumulativeEpsilon ?? 0)) of \(l.budgetEpsilon)" + (l.refusals.isEmpty ? "" : "; refused \(l.refusals.map { "\($0.job) (\($0.reason))" }.joined(separator: "; "))"))
        }
        for f in faults { lines.append("fault \(f.fault): \(f.outcome)") }
        for u in utility {
            for f in u.figures {
                lines.append("utility \(u.job): \(f.metric): federated \(String(format: "%.4g", f.federated)), centralized \(String(format: "%.4g", f.centralized))\(f.target.map { " (target \($0): \(f.met == true ? "met" : "missed"))" } ?? "")")
            }
            for n in u.notes { lines.append("utility \(u.job): \(n)") }
        }
        return lines
    }

    /// report.json and report.html (the figures), and run.json (this summary, with every
    /// round's released sums).
    func write(to dir: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: dir + "/run.json"))
        for u in utility { for (name, data) in u.files { try data.write(to: URL(fileURLWithPath: dir + "/" + name)) } }
        let report = runReport(date: ISO8601.format(Int64(Date().timeIntervalSince1970)))
        try report.jsonData().write(to: URL(fileURLWithPath: dir + "/report.json"))
        try Data(report.html().utf8).write(to: URL(fileURLWithPath: dir + "/report.html"))
    }
}

/// Reads values back from the Prometheus text the coordinator wrote.
struct MetricsText {
    var samples: [(name: String, labels: [String: String], value: Double)] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let head = line[..<space]
            var labels: [String: String] = [:]
            var name = String(head)
            if let open = head.firstIndex(of: "{"), head.last == "}" {
                name = String(head[..<open])
                for pair in head[head.index(after: open)..<head.index(before: head.endIndex)].split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2 { labels[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            }
            samples.append((name, labels, value))
        }
    }

    func value(_ name: String, _ labels: [String: String]) -> Double {
        samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
    }

    func family(_ name: String, label: String) -> [String: Double] {
        Dictionary(samples.filter { $0.name == name }.compactMap { s in s.labels[label].map { ($0, s.value) } }, uniquingKeysWith: +)
    }
}
