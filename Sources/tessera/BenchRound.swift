import ArgumentParser
import Foundation
import TesseraParallel

/// `tessera bench round`: one vector-sum round of N participants × V values under the
/// one-shot scheme, the Paillier scheme, or both (one-shot first, then Paillier of the same
/// size as the reference, in the same run, with the ratio).
///
/// By default every node is its own process over loopback mutual TLS — a fresh TEST
/// federation from `KeyCeremony` in a temporary directory, the real `tessera-coordinator
/// serve` and N `tessera-participant run` (`BenchRoundProcesses`); the figures are the
/// coordinator's metrics. `--in-process` drives the `Scheme` API directly with the same
/// cryptography and no sockets, processes or storage (`BenchRoundInProcess`). Either way the
/// released sums are checked against the plaintext sums, and the command fails otherwise.
///
/// All nodes share this machine's cores: phase times add up work that separate machines
/// would do in parallel (every participant's encryption, every holder's partial decryptions).
struct BenchRound: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "round",
        abstract: "One round by phase (and bytes per participant), one-shot and/or Paillier, over loopback mTLS or in one process.")

    @Option(help: "one-shot, paillier, or both (one-shot, then Paillier of the same size as the reference).") var scheme = "one-shot"
    @Option(help: "Number of participants.") var participants = 10
    @Option(help: "Values per update.") var values = 100_000
    @Option(help: "Threads of every node's cryptography (default: every core).") var threads: Int?
    @Option(help: "Decryption committee size: the first C participants hold the keys (default: all).") var committee: Int?
    @Option(help: "Paillier modulus size of the TEST federation.") var bits = 2048
    @Option(help: "Seed of the TEST federation's keys and of the updates.") var seed: UInt64 = 1
    @Option(help: "Round timeout of the coordinator (seconds).") var roundTimeout: Double = 3600
    @Flag(help: "Same cryptography in this process through the Scheme API: no sockets, processes or SQLite.") var inProcess = false
    @Flag(help: "Keep the temporary directory (keys, state, logs, metrics) and print its path.") var keep = false
    @Flag(help: "Print JSON.") var json = false

    /// Each update's values are uniform in [−bound, bound].
    static let valueBound: Int64 = 1 << 20

    func validate() throws {
        guard ["one-shot", "paillier", "both"].contains(scheme) else { throw ValidationError("--scheme must be one-shot, paillier or both, not \(scheme)") }
        guard participants >= 1 else { throw ValidationError("--participants must be at least 1") }
        guard values >= 1 else { throw ValidationError("--values must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let committee, !(1...participants).contains(committee) { throw ValidationError("--committee must be in 1...\(participants)") }
    }

    var schemes: [String] { scheme == "both" ? ["one-shot", "paillier"] : [scheme] }
    var ids: [String] { (1...participants).map { String(format: "brand-%03d", $0) } }
    var holders: [String] { Array(ids.prefix(committee ?? participants)) }
    var threshold: Int { holders.count / 2 + 1 }  // the least t > n/2 (ThresholdRule)
    var threadCount: Int { threads ?? Parallelism.all.threads }

    func run() async throws {
        let reports: [BenchReport]
        if inProcess {
            reports = try await BenchRoundInProcess(options: self).run()
        } else {
            reports = try await BenchRoundProcesses(options: self).run()
        }
        if json {
            let object: Any
            if reports.count == 1 {
                object = reports[0].json
            } else {
                var combined: [String: Any] = ["scheme": "both", "runs": reports.map(\.json)]
                if let ratio = BenchReport.ratio(reports) { combined["paillier_round_over_one_shot_round"] = ratio }
                object = combined
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        } else {
            for report in reports { print(report.text) }
            if let ratio = BenchReport.ratio(reports) {
                print(String(format: "one-shot round %.2f s vs. Paillier round %.1f s of the same size, same run: %.1f× faster",
                             reports[0].roundSeconds, reports[1].roundSeconds, ratio))
            }
        }
        if let bad = reports.first(where: { !$0.exact }) {
            throw BenchFailure("\(bad.scheme): the released sums differ from the plaintext sums (\(bad.mismatch ?? "")): the round is wrong")
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// One run's figures, as text and JSON.
struct BenchReport {
    var scheme: String
    var mode: String
    var participants: Int
    var values: Int
    var threads: Int
    var threshold: Int
    var holders: Int
    /// Round opened → result released (processes: the coordinator's `tessera_round_seconds`).
    var roundSeconds: Double
    /// In order: collect, aggregate, decrypt (processes); submit, check, aggregate, respond,
    /// verify, release (in-process), with derived groups.
    var phases: [(String, Double)]
    /// The one-shot key generation before the first job (once per epoch), or the dealing.
    var setup: [(String, Double)]
    var totalSeconds: Double
    var bytes: [(String, Double)]
    var exact: Bool
    var mismatch: String?
    var notes: [String] = []
    var extra: [String: Any] = [:]

    var json: [String: Any] {
        var out: [String: Any] = [
            "scheme": scheme, "mode": mode, "participants": participants, "values": values, "threads": threads,
            "threshold": threshold, "holders": holders, "round_seconds": roundSeconds, "total_seconds": totalSeconds,
            "phase_seconds": Dictionary(phases, uniquingKeysWith: { a, _ in a }),
            "sums_exact": exact, "plaintext_bytes_per_update": values * 8,
        ]
        for (name, value) in setup { out[name] = value }
        for (name, value) in bytes { out[name] = value }
        for (k, v) in extra { out[k] = v }
        return out
    }

    var text: String {
        var lines = ["\(scheme) round (\(mode)): \(participants) participants × \(values.formatted()) values, threshold \(threshold) of \(holders) holders, \(threads) thread\(threads == 1 ? "" : "s") per node"]
        lines.append(String(format: "  round %8.3f s   (round opened → result released)", roundSeconds))
        func padded(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        for (name, secs) in phases { lines.append("    " + padded(name, 10) + String(format: " %8.3f s", secs)) }
        for (name, secs) in setup { lines.append("  " + padded(name, 24) + String(format: " %8.3f s", secs)) }
        lines.append(String(format: "  total %8.3f s   (%@)", totalSeconds, mode == "processes" ? "first process started → last exited" : "setup and round" as NSString))
        for (name, value) in bytes { lines.append("  \(name): \(Int(value.rounded()).formatted())") }
        lines.append("  plain update: \((values * 8).formatted()) bytes")
        for note in notes { lines.append("  " + note) }
        lines.append(exact ? "  released sums = plaintext sums (\(values.formatted()) values)" : "  RELEASED SUMS DIFFER FROM THE PLAINTEXT SUMS: \(mismatch ?? "")")
        return lines.joined(separator: "\n")
    }

    /// Paillier round / one-shot round, when both ran.
    static func ratio(_ reports: [BenchReport]) -> Double? {
        guard reports.count == 2, reports[0].scheme == "one-shot", reports[1].scheme == "paillier", reports[0].roundSeconds > 0 else { return nil }
        return reports[1].roundSeconds / reports[0].roundSeconds
    }

    /// The first difference between released and expected sums, for the failure message.
    static func mismatch(_ sums: [Int64], _ expected: [Int64]) -> String? {
        guard sums.count == expected.count else { return "\(sums.count) sums released for \(expected.count) values" }
        guard let i = sums.indices.first(where: { sums[$0] != expected[$0] }) else { return nil }
        return "value \(i): released \(sums[i]), plaintext sum \(expected[i])"
    }
}
