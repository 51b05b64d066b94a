import ArgumentParser
import Foundation
import TesseraSimulation

/// `tessera killtest`: crash tolerance from outside (`KillTest`): one job, run undisturbed and
/// then `--runs` times with one node killed (SIGKILL) at a seeded time and restarted; prints a
/// line per run and the tally; exits non-zero if any run broke a rule.
struct KillTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "killtest",
        abstract: "Run one job many times, killing a node (SIGKILL) at a seeded point each time and restarting it; check results, ledgers and state files.")
    @Option(help: "Runs with a kill.") var runs = 100
    @Option(help: "Seed of the victims, the kill times and the nodes' randomness.") var seed: UInt64 = 1
    @Option(help: "one-shot (a DKG first) or paillier.") var scheme = "one-shot"
    @Option(help: "Key directory of a 3-brand federation.") var keys = "keys/test"
    @Option(help: "Working directory (replaced).") var out = "out/killtest"
    @Flag(help: "Submit the job through the coordinator's job API (as the analyst) instead of a job file.") var api = false

    func validate() throws {
        guard ["one-shot", "paillier"].contains(scheme) else { throw ValidationError("--scheme must be one-shot or paillier, not \(scheme)") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: out)
        let test = KillTest(bin: Simulate.binDirectory, keys: keys, scheme: scheme, work: out, seed: seed, viaAPI: api)
        let (baseline, outcomes) = try await test.run(runs: runs) { o in
            print(String(format: "run %3d: %@ killed at %.2f s (%@)%@ -> %@ (%.1f s)%@", o.run, o.victim, o.at, o.phase, o.killed ? "" : " (had already exited)",
                         o.result, o.seconds, o.problems.isEmpty ? "" : "; PROBLEMS: " + o.problems.joined(separator: "; ")))
        }
        let killed = outcomes.filter(\.killed)
        let byVictim = Dictionary(grouping: killed, by: \.victim).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let byPhase = Dictionary(grouping: killed, by: \.phase).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let results = Dictionary(grouping: outcomes, by: { $0.result.hasPrefix("failed") ? "failed with a reason" : $0.result }).mapValues(\.count)
            .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let broken = outcomes.filter { !$0.ok }
        print(String(format: "killtest (%@%@, undisturbed run %.1f s): %d runs, %d kills (%@; in %@); outcomes: %@; rules broken in %d runs",
                     scheme, api ? ", job through the API" : "", baseline, outcomes.count, killed.count, byVictim.joined(separator: ", "), byPhase.joined(separator: ", "),
                     results.joined(separator: ", "), broken.count))
        if !broken.isEmpty { throw ExitCode(1) }
    }
}
