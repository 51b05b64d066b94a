import Foundation
import Testing

/// `tessera killtest` in small: a one-shot job (DKG first) run undisturbed, then with a node
/// SIGKILLed at seeded times and restarted; every run must end with the undisturbed sums and
/// keep the ledgers and state files consistent. The README reports the 100-run figure.
@Suite struct KillTests {
    @Test func runsWithAKilledNodeEndAsTheUndisturbedRunDoes() async throws {
        let dir = try temporaryDirectory()
        let p = try NodeProcess("tessera", ["killtest", "--runs", "6", "--seed", "5", "--keys", testKeys, "--out", dir + "/kill"], in: dir, name: "killtest")
        let status = try await p.waitForExit(timeout: 300)
        #expect(status == 0, "\(p.output.suffix(3000))")
        let summary = try #require(p.output.split(separator: "\n").last { $0.hasPrefix("killtest (") }, "\(p.output.suffix(2000))")
        #expect(summary.contains("6 runs") && summary.contains("rules broken in 0 runs"), "\(summary)")
        #expect(p.output.split(separator: "\n").filter { $0.hasPrefix("run ") && $0.contains("-> same result") }.count == 6, "\(p.output.suffix(2000))")
        // The state files of every run are there to inspect.
        #expect(FileManager.default.fileExists(atPath: dir + "/kill/run-6/coordinator.sqlite"))
    }

    /// The same with the job submitted through the job API (the analyst retrying while the
    /// coordinator is down): a kill of the coordinator before, during or after the service
    /// took the job still ends with the undisturbed sums (a resubmission of a job it had
    /// stored is refused as a duplicate id, never run twice).
    @Test func killsWhileTheServiceHandlesAnAPIJobEndAsTheUndisturbedRunDoes() async throws {
        let dir = try temporaryDirectory()
        let p = try NodeProcess("tessera", ["killtest", "--runs", "4", "--seed", "9", "--api", "--keys", testKeys, "--out", dir + "/kill"],
                                in: dir, name: "killtest")
        let status = try await p.waitForExit(timeout: 300)
        #expect(status == 0, "\(p.output.suffix(3000))")
        let summary = try #require(p.output.split(separator: "\n").last { $0.hasPrefix("killtest (") }, "\(p.output.suffix(2000))")
        #expect(summary.contains("job through the API") && summary.contains("4 runs") && summary.contains("rules broken in 0 runs"), "\(summary)")
        #expect(p.output.split(separator: "\n").filter { $0.hasPrefix("run ") && $0.contains("-> same result") }.count == 4, "\(p.output.suffix(2000))")
    }
}
