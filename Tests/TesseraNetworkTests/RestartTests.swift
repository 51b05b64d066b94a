import Foundation
import TesseraTransport
import TesseraState
import Testing

@Suite(.serialized) struct RestartTests {
    @Test func coordinatorKilledAfterTwoSubmissionsCompletesTheRoundAfterRestart() async throws {
        let dir = try temporaryDirectory()
        let length = 40
        // All three decide (so round 1 opens); brand-c dies before storing its update (crash
        // point), so only two submissions arrive before the coordinator is killed.
        let job = try writeJob(dir, id: "crash", length: length, minParticipants: 2)
        let state = dir + "/coordinator.sqlite"
        let first = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", state,
                                                            "--job", job, "--round-timeout", "300"], in: dir, name: "coordinator-1")
        let port = try listeningPort(try await first.waitFor("listening on"))
        var expected = [Int64](repeating: 0, count: length)
        func start(_ id: String, _ k: Int64, crashAt point: String? = nil) throws -> NodeProcess {
            let values = (0..<length).map { Int64($0) * k - 500 }
            if point == nil { for j in 0..<length { expected[j] += values[j] } }
            return try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--exit-after-job"], in: dir,
                name: id + (point == nil ? "" : "-crashing"), environment: point.map { ["TESSERA_CRASH_POINT": $0] } ?? [:])
        }
        let crashing = try start("brand-c", 7, crashAt: "before-store")
        let a = try start("brand-a", 3), b = try start("brand-b", 5)
        #expect(try await crashing.waitForExit(timeout: 120) == 86)
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
        // The two early submissions survived the kill: after the restart only brand-c submits,
        // and brand-a and brand-b each encrypted exactly once.
        #expect(!second.output.contains("participant=brand-a round=1 [TesseraCoordinator] submission stored"))
        #expect(!second.output.contains("participant=brand-b round=1 [TesseraCoordinator] submission stored"))
        #expect(second.output.contains("participant=brand-c round=1 [TesseraCoordinator] submission stored"))
        for p in [a, b] { #expect(p.output.components(separatedBy: "submission encrypted").count == 2) }
        for p in [a, b, c] { #expect(try await p.waitForExit(timeout: 60) == 0, "\(p.name): \(p.output.suffix(2000))") }
    }
}

extension RestartTests {
    /// A holder that missed a decryption deadline is remembered across a coordinator restart:
    /// the restarted coordinator neither asks it first nor waits for its updates again (it
    /// would otherwise wait out a 300 s timeout, beyond this test's limit).
    @Test func aHolderThatMissedItsDeadlineIsNotAwaitedAfterARestart() async throws {
        let dir = try temporaryDirectory()
        let length = 30
        let job = try writeJob(dir, id: "gone", length: length, minParticipants: 2, rounds: 3)
        let state = dir + "/coordinator.sqlite", faults = dir + "/faults.json"
        try Data(#"[{"kind": "drop-before-share", "participant": "brand-a", "round": 1}]"#.utf8).write(to: URL(fileURLWithPath: faults))
        // The first coordinator dies as a SIGKILL would right after it has stored that brand-a
        // missed the deadline, before it asks anyone else: the job cannot end before the kill.
        let first = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", state,
                                                            "--job", job, "--round-timeout", "10"], in: dir, name: "coordinator-1",
                                    environment: ["TESSERA_CRASH_POINT": "unresponsive-stored"])
        let port = try listeningPort(try await first.waitFor("listening on"))
        var nodes: [NodeProcess] = []
        for (id, k) in [("brand-a", Int64(1)), ("brand-b", 2), ("brand-c", 3)] {
            let values = (0..<length).map { Int64($0) * k }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--faults", faults, "--exit-after-job"],
                in: dir, name: id))
        }
        defer { for n in nodes { n.signal(SIGTERM) } }
        // brand-a (asked first, with brand-b) drops: at the 10 s deadline it is marked and everyone is asked
        // (10 s, not less: under a loaded CI machine an honest submission can take several seconds).
        #expect(try await first.waitForExit(timeout: 120) == 86, "\(first.output.suffix(2000))")
        #expect(first.output.contains("requested holders did not all answer in time"))

        let second = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:\(port)", "--state", state,
                                                             "--exit-after-job", "--round-timeout", "300"], in: dir, name: "coordinator-2")
        #expect(try await second.waitForExit(timeout: 240) == 0, "\(second.output.suffix(3000))")
        #expect(second.output.contains("presumed_gone=brand-a"), "\(second.output.prefix(3000))")
        let line = try #require(second.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(result["contributors"] as! [String] == ["brand-b", "brand-c"])
        #expect((result["sums"] as! [NSNumber]).map(\.int64Value) == (0..<length).map { Int64($0) * 5 })
    }

    /// Participants started before the coordinator exists keep retrying (connection refused)
    /// with backoff, and complete the job once it is up.
    @Test func participantsWaitForALateCoordinator() async throws {
        let dir = try temporaryDirectory()
        let port = try LoopbackPort.free()
        var nodes: [NodeProcess] = []
        var expected = [Int64](repeating: 0, count: 5)
        for (k, id) in ["brand-a", "brand-b", "brand-c"].enumerated() {
            let values = (0..<5).map { Int64($0 * (k + 1)) }
            for j in 0..<5 { expected[j] += values[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values), "--state", dir + "/\(id).sqlite", "--exit-after-job"], in: dir, name: id))
        }
        try await nodes[0].waitFor("Connection refused", timeout: 30)
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:\(port)",
            "--state", dir + "/c.sqlite", "--job", try writeJob(dir, id: "late", length: 5), "--exit-after-job"], in: dir, name: "coordinator")
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(2000))")
        let line = try #require(coordinator.output.split(separator: "\n").last { $0.hasPrefix("{") })
        #expect(((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["sums"] as! [NSNumber]).map(\.int64Value) == expected)
        for n in nodes { #expect(try await n.waitForExit(timeout: 60) == 0, "\(n.name): \(n.output.suffix(1500))") }
    }
}


extension RestartTests {
    /// A brand that accepted the job but was down when its result was released is told the end
    /// when it returns: a coordinator run with `--exit-after-job` waits (up to `--linger`) for
    /// every accepting brand's receipt before it exits, instead of leaving it to wait forever.
    @Test func aBrandAwayWhenTheResultIsReleasedGetsItWhenItReturns() async throws {
        let dir = try temporaryDirectory()
        let length = 8
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", dir + "/c.sqlite",
            "--job", try writeJob(dir, id: "away", length: length), "--exit-after-job", "--linger", "120", "--round-timeout", "10"],
            in: dir, name: "coordinator")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        func participant(_ id: String, _ k: Int64, name: String? = nil) throws -> NodeProcess {
            try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: (0..<Int64(length)).map { $0 * k }), "--state", dir + "/\(id).sqlite",
                "--exit-after-job"], in: dir, name: name ?? id)
        }
        let a = try participant("brand-a", 1), b = try participant("brand-b", 2), c = try participant("brand-c", 3)
        defer { for n in [a, b, c] { n.signal(SIGTERM) } }
        // brand-c is killed once its submission is stored; brand-a and brand-b decrypt without it.
        _ = try await coordinator.waitFor("participant=brand-c round=1 [TesseraCoordinator] submission stored")
        c.signal(SIGKILL)
        _ = try await c.waitForExit(timeout: 10)
        _ = try await coordinator.waitFor("round result released", timeout: 120)
        for p in [a, b] { #expect(try await p.waitForExit(timeout: 60) == 0, "\(p.name): \(p.output.suffix(1500))") }
        try await Task.sleep(for: .seconds(1))
        #expect(coordinator.isRunning, "the coordinator exited before brand-c had the result:\n\(coordinator.output.suffix(2000))")
        #expect(try ParticipantStore(path: dir + "/brand-c.sqlite").result(job: "away", round: 1) == nil)

        let back = try participant("brand-c", 3, name: "brand-c-restarted")
        defer { back.signal(SIGTERM) }
        #expect(try await back.waitForExit(timeout: 60) == 0, "\(back.output.suffix(2000))")
        #expect(try await coordinator.waitForExit(timeout: 30) == 0, "\(coordinator.output.suffix(2000))")
        #expect(coordinator.output.contains("job=away participant=brand-c [TesseraCoordinator] participant has the job's end"), "\(coordinator.output.suffix(2000))")
        #expect(!coordinator.output.contains("exiting without receipts"))
        let sums = try #require(try ParticipantStore(path: dir + "/brand-c.sqlite").result(job: "away", round: 1))
        #expect(sums == (0..<Int64(length)).map { $0 * 6 })
    }
}

extension RestartTests {
    /// A coordinator killed when nothing more is owed to it (every submission stored, or the
    /// partial decryptions of a threshold of holders stored) takes the next step as soon as it
    /// restarts. It used to wait for a message that would never come, or for its round timeout
    /// (300 s here, beyond this test's limits).
    @Test(arguments: ["last-submission-stored", "threshold-partials-stored"])
    func aCoordinatorKilledWithNothingMoreOwedResumesAtOnce(point: String) async throws {
        let dir = try temporaryDirectory()
        let length = 6
        let job = try writeJob(dir, id: "owed", length: length)
        let state = dir + "/coordinator.sqlite"
        let first = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", state,
                                                            "--job", job, "--round-timeout", "300"], in: dir, name: "coordinator-1",
                                    environment: ["TESSERA_CRASH_POINT": point])
        let port = try listeningPort(try await first.waitFor("listening on"))
        var nodes: [NodeProcess] = []
        for (id, k) in [("brand-a", Int64(1)), ("brand-b", 2), ("brand-c", 3)] {
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: (0..<Int64(length)).map { $0 * k }), "--state", dir + "/\(id).sqlite",
                "--exit-after-job"], in: dir, name: id))
        }
        defer { for n in nodes { n.signal(SIGTERM) } }
        #expect(try await first.waitForExit(timeout: 120) == 86, "\(first.output.suffix(2000))")
        let store = try CoordinatorStore(path: state)
        if point == "last-submission-stored" {
            #expect(try store.latestRound(job: "owed")?.status == "open" && store.submissions(job: "owed", round: 1).count == 3)
        } else {
            #expect(try store.latestRound(job: "owed")?.status == "decrypting" && store.partials(job: "owed", round: 1).count == 2)
        }
        let second = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:\(port)", "--state", state,
                                                             "--exit-after-job", "--round-timeout", "300"], in: dir, name: "coordinator-2")
        #expect(try await second.waitForExit(timeout: 60) == 0, "\(second.output.suffix(3000))")
        let line = try #require(second.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect((result["sums"] as! [NSNumber]).map(\.int64Value) == (0..<Int64(length)).map { $0 * 6 })
        for n in nodes { #expect(try await n.waitForExit(timeout: 30) == 0, "\(n.name): \(n.output.suffix(1500))") }
    }
}
