import Foundation
import Testing
import TesseraState

/// Rounds with distributed discrete Gaussian noise: the released sum is the plaintext sum plus
/// noise of the stated scale, every participant's ledger records the job's ε, and a brand
/// whose budget cannot afford the next job refuses it before touching its data.
@Suite(.serialized) struct PrivacyRoundTests {
    let ids = ["brand-a", "brand-b", "brand-c"]
    let privacy: [String: Any] = ["mechanism": "discrete-gaussian", "variance": "240000", "l2Bound": 400, "delta": 1e-6]

    func run(_ dir: String, job: String, policy: String, values: [[Int64]]) async throws -> (NodeProcess, [NodeProcess]) {
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job, "--exit-after-job"], in: dir, name: "coordinator-\(abs(job.hashValue))")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        let nodes = try ids.enumerated().map { i, id in
            try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values[i]), "--state", dir + "/\(id).sqlite", "--policy", policy,
                "--exit-after-job"], in: dir, name: "\(id)-\(abs(job.hashValue))")
        }
        return (coordinator, nodes)
    }

    @Test func noisedRoundsSpendTheAccountedBudgetAndThenRefuse() async throws {
        let dir = try temporaryDirectory()
        let length = 20
        var values: [[Int64]] = []
        for k in 0..<3 {
            var row: [Int64] = []
            for j in 0..<length { row.append(Int64((j * 7 + k * 13) % 61) - 30) }
            values.append(row)
        }
        let policy = dir + "/policy.json"
        try #"{"minParticipants": 2, "budget": {"epsilon": 3.0, "delta": 1e-5}}"#.write(toFile: policy, atomically: true, encoding: .utf8)

        let jobA = try writeJob(dir, id: "noised-a", length: length, bound: 1000, privacy: privacy, file: "a.json")
        let (coordinator, nodes) = try await run(dir, job: jobA, policy: policy, values: values)
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(2000))")
        for n in nodes { #expect(try await n.waitForExit(timeout: 60) == 0) }
        let line = try #require(coordinator.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let sums = ((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["sums"] as! [NSNumber]).map(\.int64Value)
        let plain: [Int64] = (0..<length).map { j in values[0][j] + values[1][j] + values[2][j] }
        let differences = zip(sums, plain).map { $0 - $1 }
        // Noise of variance 3 · 240000 per value: present, and within 6σ.
        let variance = 3 * 240_000.0
        #expect(differences.contains { $0 != 0 })
        #expect(differences.allSatisfy { abs(Double($0)) < 6 * variance.squareRoot() })
        let meanSquare = differences.reduce(0.0) { $0 + Double($1 * $1) } / Double(length)
        #expect(meanSquare > variance / 4 && meanSquare < variance * 4)

        // Each ledger holds one round of the job's ε, the figure the accountant gives.
        var spent: [Double] = []
        for id in ids {
            let ledger = try ParticipantStore(path: dir + "/\(id).sqlite").ledger()
            #expect(ledger.count == 1)
            spent.append(ledger.first?.epsilon ?? 0)
        }
        #expect(spent.allSatisfy { $0 > 1 && $0 < 3 && $0 == spent[0] })
        // The coordinator's federation ledger records the same spend for every contributor.
        let federationLedger = try CoordinatorStore(path: dir + "/coordinator.sqlite").ledger()
        #expect(federationLedger.map(\.participant) == ids)
        #expect(federationLedger.allSatisfy { $0.epsilon == spent[0] && $0.delta == 1e-6 })

        // A second job of the same cost no longer fits the budget of 3: refused at the decision.
        let jobB = try writeJob(dir, id: "noised-b", length: length, bound: 1000, privacy: privacy, file: "b.json")
        let (second, refusing) = try await run(dir, job: jobB, policy: policy, values: values)
        try await second.waitFor("too many refusals", timeout: 60)
        #expect(second.output.contains("privacy budget"))
        // With --exit-after-job the coordinator stops, saying so, rather than waiting forever.
        #expect(try await second.waitForExit(timeout: 30) == 3)
        // The coordinator stopped at the first refusal that made the job impossible.
        #expect(refusing.contains { $0.output.contains("accept=false") && $0.output.contains("privacy budget") })
        for n in refusing {
            n.signal(SIGTERM)
            _ = try await n.waitForExit(timeout: 30)
        }
        for id in ids { #expect(try ParticipantStore(path: dir + "/\(id).sqlite").ledger().count == 1) }
    }
}
