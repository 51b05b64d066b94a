import Foundation
import Testing

/// A scenario and a seed reproduce the run: the same transcript root twice, a different one
/// for another seed, `tessera replay` accepts the root and refuses another, and the audit of
/// the output directory passes.
@Suite(.serialized) struct SimulationTests {
    func simulate(_ seed: Int, _ dir: String, scenario: String = "simulations/quickstart.json", extra: [String] = []) async throws -> String {
        let p = try NodeProcess("tessera", ["simulate", scenario, "--seed", "\(seed)", "--out", dir] + extra, in: try temporaryDirectory(), name: "simulate")
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
        #expect((report["metadata"] as? [String: Any])?["transcriptRoot"] as? String == a)
        let csv = try String(contentsOfFile: base + "/a/quickstart-profile.profile.csv", encoding: .utf8)
        #expect(csv.hasPrefix("stage,tier,region,suppressed,customers") && csv.split(separator: "\n").count == 17)  // header and 16 cells, stage × tier (error bars are columns)
        // `tessera data release` decodes the same released sums to the same table, and checks
        // them against the brands' orders; sums moved by far more than the noise fail the check.
        let scenario = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/simulations/quickstart.json"))) as! [String: Any]
        try JSONSerialization.data(withJSONObject: (scenario["jobs"] as! [Any])[0]).write(to: URL(fileURLWithPath: base + "/job.json"))
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/a/run.json"))) as! [String: Any]
        let results = ((run["jobs"] as! [[String: Any]])[0]["results"] as! [[String: Any]])
        try JSONSerialization.data(withJSONObject: ["rounds": results]).write(to: URL(fileURLWithPath: base + "/result.json"))
        let orders = ["brand-a", "brand-b", "brand-c"].map { base + "/a/work/data/\($0)/orders.csv" }
        let release = try NodeProcess("tessera", ["data", "release", "--job", base + "/job.json", "--result", base + "/result.json",
                                                  "--out", base + "/released.csv"] + orders, in: base, name: "release")
        #expect(try await release.waitForExit() == 0, "\(release.output)")
        #expect(release.output.contains("within their 95% error bar of the central (noise-free) computation"), "\(release.output)")
        #expect(try String(contentsOfFile: base + "/released.csv", encoding: .utf8) == csv)
        var shifted = results
        shifted[shifted.count - 1]["sums"] = ((results.last!["sums"] as! [NSNumber]).map { $0.int64Value + 50_000 })
        try JSONSerialization.data(withJSONObject: ["rounds": shifted]).write(to: URL(fileURLWithPath: base + "/shifted.json"))
        let moved = try NodeProcess("tessera", ["data", "release", "--job", base + "/job.json", "--result", base + "/shifted.json",
                                                "--out", base + "/shifted.csv"] + orders, in: base, name: "release-shifted")
        let failed = try await moved.waitForExit() == 1 && moved.output.contains("check FAILED")
        #expect(failed, "\(moved.output)")
        let html = try String(contentsOfFile: base + "/a/report.html", encoding: .utf8)
        #expect(html.contains(a) && html.contains("<svg") && !html.contains("http://example") && !html.contains("<script"))
    }

    /// Faults go through the real code paths and the run stays reproducible: a malformed frame
    /// and a replay are rejected and the sender's update still counts, a late answer changes
    /// nothing, a requested holder that drops before its share is replaced by the next
    /// contributor (t = 2 of 3) and its absence ends its part in the job; processes and
    /// in-process give one root.
    @Test func faultsAreHandledAndTheRunStaysReproducible() async throws {
        let base = try temporaryDirectory()
        let scenario = repositoryRoot + "/Tests/TesseraNetworkTests/Fixtures/faults.json"
        let processes = try await simulate(5, base + "/p", scenario: scenario)
        let inProcess = try await simulate(5, base + "/i", scenario: scenario, extra: ["--in-process"])
        #expect(processes == inProcess && processes.count == 64)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/p/run.json"))) as! [String: Any]
        let job = try #require((report["jobs"] as? [[String: Any]])?.first)
        let results = try #require(job["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results.map { $0["contributors"] as? [String] ?? [] } == [["brand-a", "brand-b", "brand-c"], ["brand-a", "brand-b", "brand-c"], ["brand-b", "brand-c"]])
        // Round 1 asks the first t = 2 contributors; in round 2 brand-a drops, so brand-c is asked too.
        #expect(results[0]["holders"] as? [String] == ["brand-a", "brand-b"])
        #expect(results[1]["holders"] as? [String] == ["brand-b", "brand-c"])
        let log = try String(contentsOfFile: base + "/p/work/coordinator-multi.log", encoding: .utf8)
        #expect(log.contains("code=malformed participant=brand-a"))
        #expect(log.contains("code=replay participant=brand-b"))
        let audit = try NodeProcess("tessera", ["audit", base + "/p"], in: base, name: "audit")
        #expect(try await audit.waitForExit() == 0, "\(audit.output)")
    }

    /// A per-customer job that the data cannot fit (more customers in a cell than the value
    /// bound allows) is refused at the decision, with the reason, before any round; the next
    /// job of the scenario still runs and releases its profile.
    @Test func aJobInvalidForTheDataIsRefusedBeforeAnyRound() async throws {
        let base = try temporaryDirectory()
        let scenario = repositoryRoot + "/Tests/TesseraNetworkTests/Fixtures/refused.json"
        let root = try await simulate(3, base + "/r", scenario: scenario, extra: ["--in-process"])
        #expect(root == (try await simulate(3, base + "/p", scenario: scenario)))
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/r/run.json"))) as! [String: Any]
        let jobs = try #require(run["jobs"] as? [[String: Any]])
        #expect(jobs.map { $0["status"] as? String } == ["refused", "done"])
        #expect((jobs[0]["results"] as? [Any])?.isEmpty == true)
        let ledgers = try #require(run["ledgers"] as? [[String: Any]])
        // The job ends once every brand has decided; the refusals are in the transcript.
        let reasons = ledgers.flatMap { ($0["refusals"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String } }
        #expect(reasons.count == 3)
        let transcript = try String(contentsOfFile: base + "/r/transcript.jsonl", encoding: .utf8)
        #expect(transcript.components(separatedBy: "\"job_decision\"").count - 1 == 6)
        for reason in reasons { #expect(reason.contains("outside the job's bound ±10") && reason.contains("too many customers"), "\(reason)") }
        #expect(FileManager.default.fileExists(atPath: base + "/r/fits.profile.csv"))
    }
}
