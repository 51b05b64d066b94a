import Foundation
import Testing

/// A whole round between separate processes over loopback mutual TLS: one coordinator, three
/// participants, the committed test federation (2048-bit key, 2 of 3).
@Suite(.serialized) struct FullRoundTests {
    let participants = ["brand-a", "brand-b", "brand-c"]

    func data(_ i: Int, length: Int) -> [Int64] {
        (0..<length).map { Int64(($0 * 7919 + i * 104_729) % 2_000_001) - 1_000_000 }
    }

    @Test func threeParticipantProcessesProduceThePlaintextSum() async throws {
        let dir = try temporaryDirectory()
        let length = 150
        let job = try writeJob(dir, id: "sum-1", length: length, rounds: 2)
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job, "--exit-after-job", "--metrics", "127.0.0.1:0"], in: dir, name: "coordinator")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        var nodes: [NodeProcess] = []
        var expected = [Int64](repeating: 0, count: length)
        for (i, id) in participants.enumerated() {
            let values = data(i, length: length)
            for j in 0..<length { expected[j] += values[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--exit-after-job"], in: dir, name: id))
        }
        #expect(try await coordinator.waitForExit(timeout: 240) == 0)
        for node in nodes { #expect(try await node.waitForExit(timeout: 60) == 0, "\(node.name): \(node.output.suffix(2000))") }
        let resultLine = try #require(coordinator.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try JSONSerialization.jsonObject(with: Data(resultLine.utf8)) as! [String: Any]
        #expect((result["sums"] as! [NSNumber]).map(\.int64Value) == expected)
        #expect(result["contributors"] as! [String] == participants)
        // Every participant stored the same result, and no log line carries a plaintext value.
        for node in nodes {
            #expect(node.output.contains("round result received"))
            #expect(!node.output.contains(String(data(0, length: length)[17])))
        }
    }
}
