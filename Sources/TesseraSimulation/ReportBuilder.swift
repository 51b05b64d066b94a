import Foundation
import TesseraReport

/// Presents a simulation's summary as the report model (report.json, report.html).
extension SimulationSummary {
    func runReport(date: String) -> RunReport {
        let metadata = RunMetadata(scenario: run.scenario, description: run.description, seed: run.seed, transcriptRoot: run.transcriptRoot,
                                   audit: AuditVerdict(status: .passed, detail: run.audit), backend: "\(run.backend) (\(run.mode), loopback mTLS)",
                                   keyBits: run.keyBits, threshold: run.threshold, participants: run.participants.count,
                                   wallSeconds: run.seconds, date: date)
        let jobs = self.jobs.map { JobSummary(id: $0.id, kind: $0.kind, rounds: $0.rounds, epsilon: $0.epsilon, delta: $0.delta) }
        var phases: [PhaseTiming] = []
        for job in self.jobs {
            for (phase, seconds) in job.phaseSeconds.sorted(by: { $0.key < $1.key }) { phases.append(PhaseTiming(phase: "\(job.id): \(phase)", seconds: seconds)) }
            phases.append(PhaseTiming(phase: "\(job.id): total", seconds: job.seconds))
        }
        let traffic = ledgers.map { ParticipantTraffic(participant: $0.participant, bytesSent: Int($0.bytesSent), bytesReceived: Int($0.bytesReceived)) }
        // Rounds are numbered across the run, in job order, so the ledger plot is one timeline.
        var offsets: [String: Int] = [:]
        var total = 0
        for job in self.jobs { offsets[job.id] = total; total += max(job.rounds, 1) }
        let ledger = ledgers.map { l in
            ParticipantLedger(participant: l.participant, budgetEpsilon: l.budgetEpsilon, budgetDelta: l.budgetDelta,
                              entries: l.spends.map { LedgerEntry(round: (offsets[$0.job] ?? 0) + $0.round, job: $0.job, epsilonSpent: $0.cumulativeEpsilon, deltaSpent: $0.cumulativeDelta) },
                              refusals: l.refusals.map { Refusal(round: (offsets[$0.job] ?? 0) + 1, job: $0.job, reason: $0.reason) })
        }
        var utilityFigures: [UtilityFigure] = [], tables: [ResultTable] = [], series: [RoundSeries] = [], notes: [String] = []
        for u in utility {
            for f in u.figures {
                utilityFigures.append(UtilityFigure(metric: "\(u.job): \(f.metric)\(f.target.map { " (target \($0))" } ?? "")", federated: f.federated,
                                                    centralized: f.centralized, gap: f.gap, target: f.maxGap, met: f.met))
            }
            for t in u.tables {
                tables.append(ResultTable(title: "\(u.job): \(t.title)", columns: t.columns, rows: t.rows.map { $0.map { TableCell.text($0) } }))
            }
            for s in u.series {
                var lines = [RoundSeries.Line(label: "federated", points: zip(s.rounds, s.federated).map { RoundSeries.Point(round: $0, value: $1) })]
                if let c = s.centralized { lines.append(RoundSeries.Line(label: "centralized", points: s.rounds.map { RoundSeries.Point(round: $0, value: c) })) }
                series.append(RoundSeries(title: "\(u.job): \(s.name)", quantity: s.name, lines: lines))
            }
            notes += u.notes.map { "\(u.job): \($0)" }
        }
        for job in self.jobs {
            for r in job.results {
                notes.append("\(job.id) round \(r.round): contributors \(r.contributors.joined(separator: ", ")); decrypted by \(r.holders.joined(separator: ", "))")
            }
        }
        let faults = self.faults.map { FaultRecord(kind: $0.fault.kind.rawValue, participant: $0.fault.participant, round: $0.fault.round, effect: $0.fault.description, handling: $0.outcome) }
        return RunReport(metadata: metadata, jobs: jobs, phases: phases, traffic: traffic, ledger: ledger, utility: utilityFigures,
                         tables: tables, series: series, faults: faults, notes: notes)
    }
}
