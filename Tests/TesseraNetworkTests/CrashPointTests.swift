import Foundation
import Testing
import TesseraState

/// A participant killed at each point between computing its update and sending it: after a
/// restart it never spends twice and never sends an update its ledger did not record.
@Suite(.serialized) struct CrashPointTests {
    @Test(arguments: ["before-store", "after-store"])
    func participantKilledBetweenStoreAndSend(point: String) async throws {
        let dir = try temporaryDirectory()
        let length = 20
        let job = try writeJob(dir, id: "crash-\(point)", length: length)
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job, "--exit-after-job"], in: dir, name: "coordinator")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        var expected = [Int64](repeating: 0, count: length)
        var nodes: [NodeProcess] = []
        func start(_ id: String, environment: [String: String] = [:], name: String? = nil) throws -> NodeProcess {
            let values = (0..<length).map { Int64($0 + id.count * 1000) }
            return try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--exit-after-job"],
                in: dir, name: name ?? id, environment: environment)
        }
        for id in ["brand-a", "brand-b", "brand-c"] {
            for j in 0..<length { expected[j] += Int64(j + id.count * 1000) }
        }
        let crashing = try start("brand-a", environment: ["TESSERA_CRASH_POINT": point], name: "brand-a-crash")
        nodes.append(try start("brand-b"))
        nodes.append(try start("brand-c"))
        #expect(try await crashing.waitForExit(timeout: 60) == 86)
        let store = try ParticipantStore(path: dir + "/brand-a.sqlite")
        let ledgerAfterCrash = try store.ledger().count
        #expect(ledgerAfterCrash == (point == "after-store" ? 1 : 0))
        #expect((try store.submission(job: "crash-\(point)", round: 1) != nil) == (point == "after-store"))

        nodes.insert(try start("brand-a", name: "brand-a-restarted"), at: 0)
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(2000))")
        let line = try #require(coordinator.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect((result["sums"] as! [NSNumber]).map(\.int64Value) == expected)
        // Exactly one recorded spend, and the coordinator stored exactly one submission from brand-a.
        #expect(try ParticipantStore(path: dir + "/brand-a.sqlite").ledger().count == 1)
        #expect(coordinator.output.components(separatedBy: "participant=brand-a round=1 [TesseraCoordinator] submission stored").count == 2)
        if point == "after-store" { #expect(nodes[0].output.contains("resending the stored submission")) }
        for n in nodes { #expect(try await n.waitForExit(timeout: 60) == 0) }
    }
}
