import Foundation
import Testing

/// A scenario and a seed reproduce the run: the same transcript root twice, a different one
/// for another seed, `tessera replay` accepts the root and refuses another, and the audit of
/// the output directory passes.
@Suite(.serialized) struct SimulationTests {
    func simulate(_ seed: Int, _ dir: String) async throws -> String {
        let p = try NodeProcess("tessera", ["simulate", "simulations/quickstart.json", "--seed", "\(seed)", "--out", dir], in: try temporaryDirectory(), name: "simulate")
        #expect(try await p.waitForExit(timeout: 180) == 0, "\(p.output.suffix(2000))")
        let last = try #require(p.output.split(separator: "\n").last)
        #expect(last.hasPrefix("transcript root: "))
        return String(last.dropFirst("transcript root: ".count))
    }

    @Test func sameSeedSameRootAndTheAuditPasses() async throws {
        let base = try temporaryDirectory()
        let a = try await simulate(11, base + "/a"), b = try await simulate(11, base + "/b"), c = try await simulate(12, base + "/c")
        #expect(a == b && a.count == 64)
        #expect(a != c)
        let audit = try NodeProcess("tessera", ["audit", base + "/a"], in: base, name: "audit")
        #expect(try await audit.waitForExit() == 0, "\(audit.output)")
        let replay = try NodeProcess("tessera", ["replay", "simulations/quickstart.json", "--seed", "11", "--expect", a], in: base, name: "replay")
        #expect(try await replay.waitForExit(timeout: 180) == 0, "\(replay.output.suffix(1000))")
        let wrong = try NodeProcess("tessera", ["replay", "simulations/quickstart.json", "--seed", "11", "--expect", c], in: base, name: "replay-wrong")
        #expect(try await wrong.waitForExit(timeout: 180) != 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/a/report.json"))) as! [String: Any]
        #expect(report["transcript_root"] as? String == a)
    }
}
