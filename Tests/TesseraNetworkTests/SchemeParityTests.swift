import Foundation
import Testing

/// Every job kind runs under both schemes: the same scenario and seed give one root per scheme,
/// both audit, and the released results are identical (the noise is seeded per participant,
/// job and round, and both schemes decode Σ(update + noise) exactly).
@Suite(.serialized) struct SchemeParityTests {
    func simulate(_ scheme: String, _ dir: String) async throws -> (root: String, results: [String: [[Int64]]]) {
        let scenario = repositoryRoot + "/Tests/TesseraNetworkTests/Fixtures/kinds.json"
        let p = try NodeProcess("tessera", ["simulate", scenario, "--seed", "3", "--out", dir, "--in-process", "--scheme", scheme],
                                in: try temporaryDirectory(), name: "simulate-\(scheme)")
        #expect(try await p.waitForExit(timeout: 300) == 0, "\(p.output.suffix(2000))")
        let last = try #require(p.output.split(separator: "\n").last)
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run.json"))) as! [String: Any]
        var results: [String: [[Int64]]] = [:]
        for job in run["jobs"] as! [[String: Any]] {
            #expect(job["status"] as? String == "done", "\(job["id"] ?? "") under \(scheme): \(job["status"] ?? "")")
            results[job["id"] as! String] = (job["results"] as! [[String: Any]]).map { ($0["sums"] as! [NSNumber]).map(\.int64Value) }
        }
        let audit = try NodeProcess("tessera", ["audit", dir], in: try temporaryDirectory(), name: "audit-\(scheme)")
        #expect(try await audit.waitForExit() == 0, "\(audit.output)")
        if scheme == "one-shot" { #expect(audit.output.contains("federation key of epoch"), "\(audit.output)") }
        return (String(last.dropFirst("transcript root: ".count)), results)
    }

    @Test func everyJobKindGivesTheSameResultUnderBothSchemes() async throws {
        let base = try temporaryDirectory()
        let oneShot = try await simulate("one-shot", base + "/one-shot")
        let paillier = try await simulate("paillier", base + "/paillier")
        #expect(Set(oneShot.results.keys) == ["sum", "profile", "segments", "propensity"])
        #expect(oneShot.results == paillier.results)
        #expect(oneShot.results["segments"]?.count == 2 && oneShot.results["propensity"]?.count == 2)
        #expect(oneShot.root != paillier.root && oneShot.root.count == 64)
        // The one-shot transcript holds the DKG and key layers; the masked vectors are exported beside it.
        let transcript = try String(contentsOfFile: base + "/one-shot/transcript.jsonl", encoding: .utf8)
        for kind in ["dkg_start", "dkg_deal", "dkg_complaints", "dkg_confirmation", "dkg_result"] { #expect(transcript.contains("\"\(kind)\"")) }
        #expect(FileManager.default.fileExists(atPath: base + "/one-shot/masked/sum/1/brand-a.bin"))
        #expect(!FileManager.default.fileExists(atPath: base + "/paillier/masked"))
    }
}
