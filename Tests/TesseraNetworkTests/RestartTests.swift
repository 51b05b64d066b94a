import Foundation
import Testing

@Suite(.serialized) struct RestartTests {
    @Test func coordinatorKilledAfterTwoSubmissionsCompletesTheRoundAfterRestart() async throws {
        let dir = try temporaryDirectory()
        let length = 40
        // Two may start the round; the coordinator then waits (up to its timeout) for the third.
        let job = try writeJob(dir, id: "crash", length: length, minParticipants: 2)
        let state = dir + "/coordinator.sqlite"
        let first = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", state,
                                                            "--job", job, "--round-timeout", "300"], in: dir, name: "coordinator-1")
        let port = try listeningPort(try await first.waitFor("listening on"))
        var expected = [Int64](repeating: 0, count: length)
        func start(_ id: String, _ k: Int64) throws -> NodeProcess {
            let values = (0..<length).map { Int64($0) * k - 500 }
            for j in 0..<length { expected[j] += values[j] }
            return try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--exit-after-job"], in: dir, name: id)
        }
        let a = try start("brand-a", 3), b = try start("brand-b", 5)
        try await first.waitFor("count=2", timeout: 120)
        first.signal(SIGKILL)
        _ = try await first.waitForExit(timeout: 10)

        let second = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:\(port)", "--state", state,
                                                             "--exit-after-job", "--round-timeout", "300"], in: dir, name: "coordinator-2")
        try await second.waitFor("listening on")
        let c = try start("brand-c", 7)
        #expect(try await second.waitForExit(timeout: 240) == 0, "\(second.output.suffix(3000))")
        let line = try #require(second.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect((result["sums"] as! [NSNumber]).map(\.int64Value) == expected)
        #expect(result["contributors"] as! [String] == ["brand-a", "brand-b", "brand-c"])
        // The two early participants were not asked for fresh submissions after the restart.
        #expect(!a.output.contains("resending") || a.output.components(separatedBy: "submission encrypted").count == 2)
        for p in [a, b, c] { #expect(try await p.waitForExit(timeout: 60) == 0, "\(p.name): \(p.output.suffix(2000))") }
    }
}
