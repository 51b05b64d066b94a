import Foundation
import TesseraParallel
import TesseraSchemes

/// `tessera bench round --in-process`: the round's cryptography through the `Scheme` API in
/// this process (`InMemoryFederation`): the DKG computed in memory with `DKGRules` (one-shot)
/// or a key dealt with `ThresholdDealer` (Paillier), then every participant's `submit`, the
/// coordinator's `check` of each and `aggregate`, the t requested holders' `respond` (each
/// checks the request: for one-shot, every key layer's signature and proof), the
/// coordinator's `verify` of each answer and `release`. Nodes run one after another, each
/// with `--threads` threads, as one machine doing every node's work.
struct BenchRoundInProcess {
    let options: BenchRound

    func run() async throws -> [BenchReport] {
        let o = options
        let clock = ContinuousClock()
        var start = clock.now
        let federation = try InMemoryFederation(name: "bench", participants: o.ids, holders: o.holders, threshold: o.threshold,
                                                paillierBits: o.schemes.contains("paillier") ? o.bits : nil, seed: o.seed)
        let dealing = seconds(clock.now - start)
        let updates = federation.randomUpdates(length: o.values, bound: BenchRound.valueBound)
        let parallelism = Parallelism(threads: o.threadCount)
        var reports: [BenchReport] = []
        for scheme in o.schemes {
            var setup: [(String, Double)] = []
            var keys: InMemoryFederation.ElGamalKeys?
            if scheme == "one-shot" {
                start = clock.now
                keys = try federation.dkg()
                setup.append(("dkg_seconds", seconds(clock.now - start)))
            } else {
                setup.append(("paillier_dealing_seconds", dealing))
            }
            let spec = try federation.vectorSumSpec(scheme: scheme, vectorLength: o.values, valueBound: BenchRound.valueBound, keys: keys)
            log("\(scheme): in-process round of \(o.participants) × \(o.values) with \(parallelism) ...")
            let outcome = try await federation.round(spec, updates: updates, keys: keys, parallelism: parallelism)
            var phases = outcome.phases.map { ($0.name, $0.seconds) }
            // The process mode's phases, for comparison: collect = submit + check (participants
            // encrypt, the coordinator checks as they arrive), decrypt = respond + verify + release.
            phases.append(("collect", outcome.seconds("submit") + outcome.seconds("check")))
            phases.append(("decrypt", outcome.seconds("respond") + outcome.seconds("verify") + outcome.seconds("release")))
            let submission = Double(outcome.submissionBytes.values.reduce(0, +)) / Double(max(1, outcome.submissionBytes.count))
            let answer = Double(outcome.answerBytes.values.reduce(0, +)) / Double(max(1, outcome.answerBytes.count))
            var report = BenchReport(
                scheme: scheme, mode: "in-process", participants: o.participants, values: o.values, threads: parallelism.threads,
                threshold: federation.threshold, holders: federation.holders.count, roundSeconds: outcome.totalSeconds, phases: phases,
                setup: setup, totalSeconds: outcome.totalSeconds + setup.map(\.1).reduce(0, +),
                bytes: [("submission_bytes_per_participant", submission), ("request_bytes_per_holder", Double(outcome.requestBytes)),
                        ("answer_bytes_per_holder", answer)],
                exact: outcome.exact, mismatch: BenchReport.mismatch(outcome.sums, outcome.expected))
            report.notes.append("holders asked: \(outcome.holders.joined(separator: ", "))")
            report.notes.append("CPU seconds (all threads): " + outcome.phases.map { "\($0.name) \(String(format: "%.3f", $0.cpuSeconds))" }.joined(separator: ", ")
                                + String(format: "; round %.3f (%.2f cores busy on average)", outcome.totalCPUSeconds, outcome.totalCPUSeconds / max(outcome.totalSeconds, 1e-9)))
            report.extra["cpu_seconds"] = outcome.totalCPUSeconds
            report.extra["phase_cpu_seconds"] = Dictionary(uniqueKeysWithValues: outcome.phases.map { ($0.name, $0.cpuSeconds) })
            report.extra["holders_asked"] = outcome.holders
            reports.append(report)
            log("\(scheme): round \(String(format: "%.3f", outcome.totalSeconds)) s, sums \(outcome.exact ? "exact" : "WRONG")")
        }
        return reports
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
