import Foundation
import Testing
import TesseraAudit
import TesseraCoordinator
import TesseraKeys
import TesseraNode
import TesseraProtocol
import TesseraService
import TesseraState
import TesseraTransport

/// The coordinator as a service: jobs submitted through the job API over mutual TLS, queued
/// and run one after another with three participant processes that serve them all over one
/// connection each; results only to their readers; every cell of the access matrix that the
/// API serves, allowed and refused, by real principals' certificates; bad input refused with a
/// 4xx naming the field, and nothing stored; the access records audited.
@Suite(.serialized) struct JobAPITests {
    static let brands = ["brand-a", "brand-b", "brand-c"]
    static let length = 40

    func values(_ i: Int) -> [Int64] { (0..<Self.length).map { Int64(($0 * 31 + i * 977) % 2001) - 1000 } }

    func client(_ principal: String, port: Int) throws -> APIClient {
        try APIClient(host: "127.0.0.1", port: port, tls: try NodeKeys.principal(directory: testKeys, id: principal).tls)
    }

    func job(_ id: String, readers: [String], scheme: String = "one-shot", extra: [String: Any] = [:]) throws -> Data {
        var object: [String: Any] = ["id": id, "kind": "vector-sum", "scheme": scheme, "vectorLength": Self.length, "valueBound": 1_000_000,
                                     "readers": readers, "purpose": "test of the job API"]
        for (k, v) in extra { object[k] = v }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// Polls a job through the API until `done` holds (two minutes at most).
    func awaitJob(_ id: String, as client: APIClient, coordinator: NodeProcess, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let job = try json(try await client.get("/v1/jobs/\(id)"))
            if done(job) { return job }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("job \(id) never reached the state awaited:\n\(coordinator.output.suffix(3000))")
    }

    /// A steward decision's API body: the decision sealed by `signer`'s own key.
    func stewardDecision(_ signer: String, job: String, brand: String, approve: Bool, reason: String = "") throws -> Data {
        let node = try NodeKeys.principal(directory: testKeys, id: signer)
        let envelope = try Outbox(federation: node.federation.name, sender: signer, key: node.signingKey, nextSequence: { 0 })
            .seal(job: job, round: 0, .stewardDecision(.with { $0.brand = brand; $0.approve = approve; $0.reason = reason }))
        return try JSONSerialization.data(withJSONObject: ["envelope": envelope.base64EncodedString()])
    }

    func json(_ reply: APIClient.Reply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any], "not a JSON object: \(reply.text)")
    }

    @Test func jobsSubmittedThroughTheAPIRunInTurnAndOnlyReadersGetResults() async throws {
        let dir = try temporaryDirectory()
        let (coordinator, port, apiPort) = try await startService(dir)
        var expected = [Int64](repeating: 0, count: Self.length)
        var nodes: [NodeProcess] = []
        for (i, id) in Self.brands.enumerated() {
            let v = values(i)
            for j in 0..<Self.length { expected[j] += v[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: v), "--state", dir + "/\(id).sqlite"], in: dir, name: id))
        }
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }

        let analyst = try client("analyst", port: apiPort)
        let stewardA = try client("steward-brand-a", port: apiPort)
        let op = try client("operator", port: apiPort)
        let auditor = try client("auditor", port: apiPort)

        // Three jobs, the second and third submitted while the first runs (or waits for its DKG).
        let first = try await analyst.post("/v1/jobs", json: try job("api-1", readers: ["analyst"]))
        #expect(first.status == 201, "\(first.text)")
        #expect(try json(first)["proposer"] as? String == "analyst")
        #expect(try await analyst.post("/v1/jobs", json: try job("api-2", readers: ["steward-brand-a"])).status == 201)
        #expect(try await analyst.post("/v1/jobs", json: try job("api-3", readers: ["analyst", "auditor"], scheme: "paillier")).status == 201)
        // The same id again: a conflict, nothing queued.
        let again = try await analyst.post("/v1/jobs", json: try job("api-1", readers: ["analyst"]))
        #expect(again.status == 409 && says(again, "already used"), "\(again.text)")

        // All three finish, in order.
        let deadline = Date().addingTimeInterval(240)
        var statuses: [String: String] = [:]
        while Date() < deadline {
            let jobs = try json(try await op.get("/v1/jobs"))["jobs"] as? [[String: Any]] ?? []
            statuses = Dictionary(uniqueKeysWithValues: jobs.map { ($0["id"] as! String, $0["status"] as! String) })
            if statuses.count == 3, statuses.values.allSatisfy({ $0 == "done" }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(statuses == ["api-1": "done", "api-2": "done", "api-3": "done"], "\(coordinator.output.suffix(3000))")
        // Every brand confirms it has the end (its receipt follows the result by a moment).
        var confirmed: [String] = []
        for _ in 0..<100 {
            confirmed = try json(try await op.get("/v1/jobs/api-1"))["endConfirmedBy"] as? [String] ?? []
            if confirmed == Self.brands { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(confirmed == Self.brands)

        // Pages of the listing, and a bad cursor or limit named.
        let firstPage = try json(try await op.get("/v1/jobs?limit=2"))
        #expect((firstPage["jobs"] as? [[String: Any]])?.map { $0["id"] as! String } == ["api-1", "api-2"] && firstPage["next"] as? String == "api-2")
        let lastPage = try json(try await op.get("/v1/jobs?limit=2&after=api-2"))
        #expect((lastPage["jobs"] as? [[String: Any]])?.map { $0["id"] as! String } == ["api-3"] && lastPage["next"] == nil)
        let badLimit = try await op.get("/v1/jobs?limit=0")
        #expect(badLimit.status == 400 && says(badLimit, "limit must be"), "\(badLimit.text)")
        #expect(try await op.get("/v1/jobs?after=nope").status == 400)

        // Results: to readers only, whatever their role.
        let result = try await analyst.get("/v1/jobs/api-1/result")
        #expect(result.status == 200, "\(result.text)")
        let rounds = try #require(try json(result)["rounds"] as? [[String: Any]])
        #expect((rounds.first?["sums"] as? [NSNumber])?.map(\.int64Value) == expected)
        #expect(rounds.first?["contributors"] as? [String] == Self.brands)
        let csv = try await stewardA.get("/v1/jobs/api-2/result?format=csv")
        #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"))
        #expect(csv.text.split(separator: "\n").dropFirst().map { Int64($0.split(separator: ",")[2])! } == expected)
        let notReader = try await analyst.get("/v1/jobs/api-2/result")
        #expect(notReader.status == 403 && says(notReader, "not a result reader"), "\(notReader.text)")
        let operatorRead = try await op.get("/v1/jobs/api-1/result")
        #expect(operatorRead.status == 403, "the operator reads a result only if the job names it")
        #expect(try await auditor.get("/v1/jobs/api-3/result").status == 200)

        // The dashboard: for the operator, analysts and auditors; results only to readers.
        let page = try await analyst.get("/v1/dashboard")
        #expect(page.status == 200 && page.contentType.hasPrefix("text/html"), "\(page.text.prefix(500))")
        for text in ["Federation test", "api-1", "api-2", "api-3", "brand-a", "audit OK", "api-1, round 1", "chart-budgets"] {
            #expect(page.text.contains(text), "dashboard lacks \(text)")
        }
        #expect(!page.text.contains("api-2, round 1"), "the analyst is not a reader of api-2")
        #expect(try await stewardA.get("/v1/dashboard").status == 403)
        try page.body.write(to: URL(fileURLWithPath: dir + "/dashboard.html"))
        try await renderInChromium(dir + "/dashboard.html", expecting: ["api-1, round 1", "Privacy budgets", "audit OK"])

        // The rest of the matrix over real mTLS.
        let node = try APIClient(host: "127.0.0.1", port: apiPort, tls: try NodeKeys.participant(directory: testKeys, id: "brand-a").tls)
        #expect(try await node.get("/v1/health").status == 200)
        let nodeList = try await node.get("/v1/jobs")
        #expect(nodeList.status == 403 && says(nodeList, "participant node"), "\(nodeList.text)")
        #expect(try await stewardA.post("/v1/jobs", json: try job("by-steward", readers: [])).status == 403)
        #expect(try await analyst.get("/v1/transcript").status == 403)
        #expect(try await analyst.get("/v1/metrics").status == 403)
        #expect(try await op.get("/v1/metrics").status == 200)
        #expect(try await stewardA.get("/v1/ledgers/brand-a").status == 200)
        let otherLedger = try await stewardA.get("/v1/ledgers/brand-b")
        #expect(otherLedger.status == 403 && says(otherLedger, "steward"), "\(otherLedger.text)")
        #expect(try await auditor.get("/v1/ledgers/brand-b").status == 200)
        #expect(try await stewardA.get("/v1/jobs/api-1").status == 200)
        #expect(try await op.get("/v1/jobs/no-such-job").status == 404)
        let cancelDone = try await op.post("/v1/jobs/api-1/cancel")
        #expect(cancelDone.status == 409 && says(cancelDone, "has ended (done)"), "\(cancelDone.text)")

        // Bad input: 400 naming the field, and nothing stored.
        let before = try json(try await op.get("/v1/jobs"))["jobs"] as? [[String: Any]]
        let malformed = try await analyst.post("/v1/jobs", json: Data("{\"id\": ".utf8))
        #expect(malformed.status == 400, "\(malformed.text)")
        #expect(says(malformed, "not a JSON object"), "\(malformed.text)")
        let missing = try await analyst.post("/v1/jobs", json: Data("{\"id\": \"x\", \"kind\": \"vector-sum\"}".utf8))
        #expect(missing.status == 400, "\(missing.text)")
        let missingField = try json(missing)["field"] as? String
        #expect(missingField == "valueBound", "\(missing.text)")
        let unknownKind = try await analyst.post("/v1/jobs", json: try job("bad-kind", readers: [], extra: ["kind": "histogram"]))
        #expect(unknownKind.status == 400, "\(unknownKind.text)")
        #expect(says(unknownKind, "histogram"), "\(unknownKind.text)")
        let stranger = try await analyst.post("/v1/jobs", json: try job("bad-reader", readers: ["mallory"]))
        #expect(stranger.status == 400, "\(stranger.text)")
        #expect(says(stranger, "readers: \"mallory\" is not a principal"), "\(stranger.text)")
        let proposer = try await analyst.post("/v1/jobs", json: try job("forged", readers: [], extra: ["proposer": "operator"]))
        #expect(proposer.status == 400, "\(proposer.text)")
        let proposerField = try json(proposer)["field"] as? String
        #expect(proposerField == "proposer", "\(proposer.text)")
        let after = try json(try await op.get("/v1/jobs"))["jobs"] as? [[String: Any]]
        #expect(after?.count == before?.count)

        // Every operation of protocol/api.yaml is served (an unrouted path would be the
        // server's bare 404, without the JSON error every route answers with).
        for (method, path) in try apiOperations() {
            let concrete = path.replacingOccurrences(of: "{id}", with: "api-1").replacingOccurrences(of: "{brand}", with: "brand-a")
            let reply = method == "get" ? try await op.get(concrete) : try await op.post(concrete)
            #expect(!reply.body.isEmpty && reply.status != 405, "\(method) \(path): \(reply.status) \(reply.text)")
        }

        // The auditor's export: the access records are in it, and it audits.
        let export = try await auditor.get("/v1/transcript")
        #expect(export.status == 200)
        let path = dir + "/transcript.jsonl"
        try export.body.write(to: URL(fileURLWithPath: path))
        let report = try await Auditor(federation: try FederationKeys.load(directory: testKeys).federationInfo,
                                       maskedVectors: { job, round, participant in
                                           try? CoordinatorStore(path: dir + "/coordinator.sqlite").submissions(job: job, round: round)
                                               .first { $0.participant == participant }.flatMap { try? maskedVector(of: $0.envelope) }
                                       }).audit(try TranscriptFile.read(path))
        #expect(report.jobs == 3 && report.rounds == 3)
        let reads = report.accesses.filter { $0.action == "read-result" }.map { "\($0.principal):\($0.job)\($0.detail == "dashboard" ? " (dashboard)" : "")" }
        #expect(reads == ["analyst:api-1", "steward-brand-a:api-2", "auditor:api-3", "analyst:api-1 (dashboard)", "analyst:api-3 (dashboard)"])
        #expect(report.accesses.filter { $0.action == "propose-job" }.map(\.job) == ["api-1", "api-2", "api-3"])
        // The export itself is recorded after the entries it contains.
        let later = try await op.get("/v1/transcript")
        #expect(later.text.contains("\"kind\":\"access\""))
        #expect(later.text.split(separator: "\n").count > export.text.split(separator: "\n").count)
    }

    /// A brand consents to who reads what is released from its data: its policy names the
    /// readers, proposers and the largest ε per job it allows, and it refuses any other job
    /// with the rule; the queue goes on with the next job.
    @Test func aBrandsPolicyRefusesReadersItDidNotAllow() async throws {
        let dir = try temporaryDirectory()
        let (coordinator, port, apiPort) = try await startService(dir)
        let policy = dir + "/brand-a-policy.json"
        try JSONSerialization.data(withJSONObject: ["allowedReaders": ["analyst", "steward-brand-a"], "allowedProposers": ["analyst"],
                                                    "maxEpsilonPerJob": 1.0]).write(to: URL(fileURLWithPath: policy))
        var nodes: [NodeProcess] = []
        for (i, id) in Self.brands.enumerated() {
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values(i)), "--state", dir + "/\(id).sqlite"]
                + (id == "brand-a" ? ["--policy", policy] : []), in: dir, name: id))
        }
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }
        let analyst = try client("analyst", port: apiPort)
        #expect(try await analyst.post("/v1/jobs", json: try job("to-operator", readers: ["operator"], extra: ["minParticipants": 3])).status == 201)
        #expect(try await analyst.post("/v1/jobs", json: try job("to-analyst", readers: ["analyst"], extra: ["minParticipants": 3])).status == 201)
        let deadline = Date().addingTimeInterval(180)
        var jobs: [[String: Any]] = []
        while Date() < deadline {
            jobs = try json(try await analyst.get("/v1/jobs"))["jobs"] as? [[String: Any]] ?? []
            if jobs.count == 2, jobs.allSatisfy({ ["done", "refused", "failed"].contains($0["status"] as? String ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0["id"] as! String, $0) })
        #expect(byID["to-operator"]?["status"] as? String == "refused", "\(coordinator.output.suffix(2000))")
        let decision = (byID["to-operator"]?["decisions"] as? [String: [String: Any]])?["brand-a"]
        #expect(decision?["accept"] as? Bool == false)
        #expect((decision?["reason"] as? String)?.contains("result reader operator is not allowed (allowed: analyst, steward-brand-a)") == true, "\(String(describing: decision))")
        #expect(byID["to-analyst"]?["status"] as? String == "done", "\(coordinator.output.suffix(2000))")
        #expect(try await analyst.get("/v1/jobs/to-analyst/result").status == 200)

        // A job whose ε no brand has left by its declarations: 400 naming the field, nothing stored.
        let greedy = try await analyst.post("/v1/jobs", json: try job("greedy", readers: ["analyst"], extra: [
            "privacy": ["mechanism": "discrete-gaussian", "variance": "1", "l2Bound": 1000, "delta": 1e-5]]))
        #expect(greedy.status == 400, "\(greedy.text)")
        let greedyField = try json(greedy)["field"] as? String
        #expect(greedyField == "privacy", "\(greedy.text)")
        #expect(says(greedy, "which only 0 of its brands have left"), "\(greedy.text)")
        #expect(try await analyst.get("/v1/jobs/greedy").status == 404)
    }

    /// The queue survives the coordinator: killed (SIGKILL) while its first job runs and two
    /// wait, restarted on the same state, it finishes all three, each once.
    @Test func queuedAndRunningJobsSurviveACoordinatorKill() async throws {
        let dir = try temporaryDirectory()
        let (first, port, apiPort) = try await startService(dir)
        var nodes: [NodeProcess] = []
        var expected = [Int64](repeating: 0, count: Self.length)
        for (i, id) in Self.brands.enumerated() {
            let v = values(i)
            for j in 0..<Self.length { expected[j] += v[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: v), "--state", dir + "/\(id).sqlite"], in: dir, name: id))
        }
        defer { for n in nodes { n.signal(SIGTERM) } }
        let analyst = try client("analyst", port: apiPort)
        for id in ["q-1", "q-2", "q-3"] {
            #expect(try await analyst.post("/v1/jobs", json: try job(id, readers: ["analyst"], scheme: "paillier")).status == 201)
        }
        try await first.waitFor("job=q-1 participants=", timeout: 60)  // q-1's round opened
        first.signal(SIGKILL)
        _ = try await first.waitForExit(timeout: 30)
        let (second, _, apiPort2) = try await startService(dir, participantPort: port, name: "coordinator-2")
        defer { second.signal(SIGTERM) }
        let again = try client("analyst", port: apiPort2)
        let deadline = Date().addingTimeInterval(180)
        var statuses: [String: String] = [:]
        while Date() < deadline {
            let jobs = try json(try await again.get("/v1/jobs"))["jobs"] as? [[String: Any]] ?? []
            statuses = Dictionary(uniqueKeysWithValues: jobs.map { ($0["id"] as! String, $0["status"] as! String) })
            if statuses.count == 3, statuses.values.allSatisfy({ $0 == "done" }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(statuses == ["q-1": "done", "q-2": "done", "q-3": "done"], "\(second.output.suffix(3000))")
        for id in ["q-1", "q-2", "q-3"] {
            let rounds = try json(try await again.get("/v1/jobs/\(id)/result"))["rounds"] as? [[String: Any]]
            #expect(rounds?.count == 1)
            #expect((rounds?.first?["sums"] as? [NSNumber])?.map(\.int64Value) == expected, "\(id)")
        }
    }

    /// The service with brand-a and brand-b running under one policy (`DIR/policy.json`) whose
    /// budget has room for one job of `ab` (ε each), not two; a long round timeout, so that a job
    /// waiting for the offline brand-c stays undecided.
    func oneBudgetForTwoBrands() async throws -> (dir: String, coordinator: NodeProcess, apiPort: Int, nodes: [NodeProcess], ab: [String: Any], epsilon: Double) {
        let dir = try temporaryDirectory()
        let (coordinator, port, apiPort) = try await startService(dir, roundTimeout: 600)
        let privacy: [String: Any] = ["mechanism": "discrete-gaussian", "variance": "10000", "l2Bound": 200, "delta": 1e-6]
        let ab = ["participants": ["brand-a", "brand-b"], "minParticipants": 2, "privacy": privacy] as [String: Any]
        let federation = try FederationKeys.load(directory: testKeys).federationInfo
        let epsilon = try JSONDecoder().decode(JobDefinition.self, from: try job("probe", readers: [], scheme: "paillier", extra: ab))
            .privacyDemand(federation: federation).epsilon
        #expect(epsilon > 0)
        let policy = dir + "/policy.json"
        try JSONSerialization.data(withJSONObject: ["budget": ["epsilon": 1.5 * epsilon, "delta": 1e-5]]).write(to: URL(fileURLWithPath: policy))
        var nodes: [NodeProcess] = []
        for (i, id) in ["brand-a", "brand-b"].enumerated() {
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values(i)), "--state", dir + "/\(id).sqlite", "--policy", policy], in: dir, name: id))
        }
        return (dir, coordinator, apiPort, nodes, ab, epsilon)
    }

    /// Jobs run concurrently and race for the same budget: each brand's ledger reserves what
    /// an accepted job will spend, so the job decided second is refused with the reason before
    /// anything is spent; a running job cancelled ends at once and its brands release what they
    /// reserved; and each brand's own ledger ends exact (one job's spend, nothing for the others).
    @Test func concurrentJobsRaceForOneBudgetAndCancellationReleasesIt() async throws {
        let (dir, coordinator, apiPort, nodes, ab, epsilon) = try await oneBudgetForTwoBrands()
        let federation = try FederationKeys.load(directory: testKeys).federationInfo
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }
        let analyst = try client("analyst", port: apiPort), op = try client("operator", port: apiPort)
        func waitFor(_ id: String, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
            try await awaitJob(id, as: op, coordinator: coordinator, done)
        }
        func decisions(_ job: [String: Any]) -> [String: [String: Any]] { job["decisions"] as? [String: [String: Any]] ?? [:] }

        // "stuck" lists brand-c too, which is offline: accepted by a and b, it waits for c.
        var stuckSpec = ab
        stuckSpec["participants"] = Self.brands
        #expect(try await analyst.post("/v1/jobs", json: try job("stuck", readers: ["analyst"], scheme: "paillier", extra: stuckSpec)).status == 201)
        _ = try await waitFor("stuck") { decisions($0).count == 2 && decisions($0).values.allSatisfy { $0["accept"] as? Bool == true } }
        // "racer" runs beside it and needs the same budget: both brands refuse it, naming the reservation.
        #expect(try await analyst.post("/v1/jobs", json: try job("racer", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        let racer = try await waitFor("racer") { $0["status"] as? String == "refused" }
        for brand in ["brand-a", "brand-b"] {
            let reason = decisions(racer)[brand]?["reason"] as? String ?? ""
            #expect(reason.contains("privacy budget") && reason.contains("reserved by accepted jobs still running (stuck)"), "\(brand): \(reason)")
        }
        #expect(try json(try await op.get("/v1/jobs/stuck"))["status"] as? String == "active")

        // The operator cancels the running job: it ends, and what a and b reserved is free again.
        let cancelled = try await op.post("/v1/jobs/stuck/cancel")
        #expect(cancelled.status == 200, "\(cancelled.text)")
        #expect(try json(try await op.get("/v1/jobs/stuck"))["status"] as? String == "cancelled")
        let again = try await op.post("/v1/jobs/stuck/cancel")
        #expect(again.status == 409 && says(again, "has ended (cancelled)"), "\(again.text)")
        #expect(try await analyst.post("/v1/jobs", json: try job("after", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        let after = try await waitFor("after") { ["done", "refused", "failed"].contains($0["status"] as? String ?? "") }
        #expect(after["status"] as? String == "done", "\(after)\n\(coordinator.output.suffix(3000))")
        let nothing = try await analyst.get("/v1/jobs/stuck/result")
        #expect(nothing.status == 409 && says(nothing, "released no result (status cancelled)"), "\(nothing.text)")

        // Each brand's own ledger: exactly one job's spend, the job that ran.
        for brand in ["brand-a", "brand-b"] {
            let ledger = try ParticipantStore(path: dir + "/\(brand).sqlite").ledger()
            #expect(ledger.map(\.job) == ["after"], "\(brand): \(ledger)")
            #expect(abs(ledger.map(\.epsilon).reduce(0, +) - epsilon) < 1e-9)
        }
        // The cancellation is evidence: an access record, audited.
        let export = try await client("auditor", port: apiPort).get("/v1/transcript")
        try export.body.write(to: URL(fileURLWithPath: dir + "/transcript.jsonl"))
        let report = try await Auditor(federation: federation).audit(try TranscriptFile.read(dir + "/transcript.jsonl"))
        #expect(report.accesses.contains { $0.action == "cancel-job" && $0.principal == "operator" && $0.job == "stuck" && $0.detail.hasPrefix("running job stopped") })
    }

    /// A brand's operator, on its own side: `tessera-participant ledger` shows what its state
    /// file holds against the budget (a stuck job's reservation), and `abandon` ends that job
    /// locally on the running node, whatever the coordinator says: the reservation is freed, a
    /// job that needs it now runs, and the abandoned job's requests are refused by name.
    @Test func aBrandsOperatorReadsItsLedgerAndAbandonsAStuckJob() async throws {
        let (dir, coordinator, apiPort, nodes, ab, epsilon) = try await oneBudgetForTwoBrands()
        let policy = dir + "/policy.json"
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }
        var runs = 0
        func tool(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            runs += 1
            let p = try NodeProcess("tessera-participant", arguments, in: dir, name: "tool-\(runs)")
            let status = try await p.waitForExit(timeout: 60)
            return (status, p.output)
        }
        func ledger(_ brand: String) async throws -> [String: Any] {
            let (status, output) = try await tool(["ledger", "--state", dir + "/\(brand).sqlite", "--policy", policy, "--json"])
            #expect(status == 0, "\(output)")
            return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        }
        func amount(_ statement: [String: Any], _ key: String) -> Double { (statement[key] as? [String: Double])?["epsilon"] ?? -1 }
        let analyst = try client("analyst", port: apiPort), op = try client("operator", port: apiPort)
        func decisions(_ job: [String: Any]) -> [String: [String: Any]] { job["decisions"] as? [String: [String: Any]] ?? [:] }

        // "stuck" waits for the offline brand-c, holding a's and b's budget.
        var stuckSpec = ab
        stuckSpec["participants"] = Self.brands
        #expect(try await analyst.post("/v1/jobs", json: try job("stuck", readers: ["analyst"], scheme: "paillier", extra: stuckSpec)).status == 201)
        _ = try await awaitJob("stuck", as: op, coordinator: coordinator) { decisions($0).count == 2 && decisions($0).values.allSatisfy { $0["accept"] as? Bool == true } }
        for brand in ["brand-a", "brand-b"] {
            let statement = try await ledger(brand)
            #expect(abs(amount(statement, "reserved") - epsilon) < 1e-9 && amount(statement, "spent") == 0, "\(statement)")
            #expect(abs(amount(statement, "remaining") - 0.5 * epsilon) < 1e-9, "\(statement)")
            #expect((statement["reservations"] as? [[String: Any]])?.map { $0["job"] as? String } == ["stuck"], "\(statement)")
        }
        let lines = try await tool(["ledger", "--state", dir + "/brand-a.sqlite", "--policy", policy])
        #expect(lines.status == 0 && lines.output.contains("reserved  stuck: ε = ") && lines.output.contains("remaining ε = "), "\(lines.output)")

        // Both brands' operators abandon it on their running nodes.
        for brand in ["brand-a", "brand-b"] {
            let done = try await tool(["abandon", "--state", dir + "/\(brand).sqlite", "--job", "stuck"])
            #expect(done.status == 0 && done.output.contains("job stuck abandoned: released ε = \(epsilon)"), "\(done.output)")
            #expect(amount(try await ledger(brand), "reserved") == 0)
        }
        // Refused by name: the same job again, a job never seen, a state file that does not exist.
        let again = try await tool(["abandon", "--state", dir + "/brand-a.sqlite", "--job", "stuck"])
        #expect(again.status != 0 && again.output.contains("job \"stuck\" has already ended (abandoned)"), "\(again.output)")
        let unknown = try await tool(["abandon", "--state", dir + "/brand-a.sqlite", "--job", "nope"])
        #expect(unknown.status != 0 && unknown.output.contains("no decision on job \"nope\""), "\(unknown.output)")
        let missing = try await tool(["ledger", "--state", dir + "/brand-x.sqlite"])
        #expect(missing.status != 0 && missing.output.contains("no state file at \(dir)/brand-x.sqlite"), "\(missing.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/brand-x.sqlite"))

        // The budget is free again: a job that needs it runs, and only its round is spent.
        #expect(try await analyst.post("/v1/jobs", json: try job("after", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        let after = try await awaitJob("after", as: op, coordinator: coordinator) { ["done", "refused", "failed"].contains($0["status"] as? String ?? "") }
        #expect(after["status"] as? String == "done", "\(after)\n\(coordinator.output.suffix(3000))")
        for brand in ["brand-a", "brand-b"] {
            let statement = try await ledger(brand)
            #expect((statement["spends"] as? [[String: Any]])?.map { $0["job"] as? String } == ["after"], "\(statement)")
            #expect(abs(amount(statement, "spent") - epsilon) < 1e-9 && amount(statement, "reserved") == 0, "\(statement)")
        }
    }

    /// Jobs held for a brand's steward: approved or rejected by that steward only, with its own
    /// signature (nobody else's, even relayed by the coordinator), before the brand's deadline;
    /// each decision is in the transcript, signed by the steward, and audited.
    @Test func aStewardApprovesOrRejectsWhatItsBrandHolds() async throws {
        let dir = try temporaryDirectory()
        let (coordinator, port, apiPort) = try await startService(dir, concurrentJobs: 1)
        let policies = ["brand-a": ["stewardApproval": true, "stewardTimeout": 120], "brand-c": ["stewardApproval": true, "stewardTimeout": 1]]
        var nodes: [NodeProcess] = []
        for (i, id) in Self.brands.enumerated() {
            var args = ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                        "--data", try writeData(dir, name: id, values: values(i)), "--state", dir + "/\(id).sqlite"]
            if let policy = policies[id] {
                try JSONSerialization.data(withJSONObject: policy).write(to: URL(fileURLWithPath: dir + "/\(id)-policy.json"))
                args += ["--policy", dir + "/\(id)-policy.json"]
            }
            nodes.append(try NodeProcess("tessera-participant", args, in: dir, name: id))
        }
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }
        let analyst = try client("analyst", port: apiPort)
        func waitFor(_ id: String, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
            try await awaitJob(id, as: analyst, coordinator: coordinator, done)
        }
        func reason(_ job: [String: Any], _ brand: String) -> String {
            ((job["decisions"] as? [String: [String: Any]])?[brand]?["reason"] as? String) ?? ""
        }
        let ab = ["participants": ["brand-a", "brand-b"], "minParticipants": 2] as [String: Any]
        #expect(try await analyst.post("/v1/jobs", json: try job("held-1", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        _ = try await waitFor("held-1") { ($0["held"] as? [String: Any])?["brand-a"] != nil }

        // A job queued behind the held one: cancelled by its proposer, not by a steward.
        let queued = try await analyst.post("/v1/jobs", json: try job("queued-1", readers: ["analyst"], scheme: "paillier", extra: ab))
        #expect(try json(queued)["status"] as? String == "queued", "\(queued.text)")
        let stewardCancel = try await client("steward-brand-a", port: apiPort).post("/v1/jobs/queued-1/cancel")
        #expect(stewardCancel.status == 403, "\(stewardCancel.text)")
        #expect(try await analyst.post("/v1/jobs/queued-1/cancel").status == 200)
        #expect(try await analyst.get("/v1/jobs/queued-1").status == 404)

        // Only brand-a's steward, with its own signature.
        let byOperator = try await client("operator", port: apiPort).post("/v1/jobs/held-1/decisions", json: try stewardDecision("operator", job: "held-1", brand: "brand-a", approve: true))
        #expect(byOperator.status == 403, "\(byOperator.text)")
        let stewardB = try client("steward-brand-b", port: apiPort)
        let otherBrand = try await stewardB.post("/v1/jobs/held-1/decisions", json: try stewardDecision("steward-brand-b", job: "held-1", brand: "brand-a", approve: true))
        #expect(otherBrand.status == 403 && says(otherBrand, "steward of brand-b, not of brand-a"), "\(otherBrand.text)")
        let forged = try await stewardB.post("/v1/jobs/held-1/decisions", json: try stewardDecision("steward-brand-a", job: "held-1", brand: "brand-a", approve: true))
        #expect(forged.status == 400 && says(forged, "not signed by steward-brand-b"), "\(forged.text)")
        let stewardA = try client("steward-brand-a", port: apiPort)
        let approved = try await stewardA.post("/v1/jobs/held-1/decisions", json: try stewardDecision("steward-brand-a", job: "held-1", brand: "brand-a", approve: true, reason: "fine"))
        #expect(approved.status == 200, "\(approved.text)")
        let done = try await waitFor("held-1") { $0["status"] as? String == "done" }
        #expect(reason(done, "brand-a") == "approved by steward-brand-a: fine")
        let twice = try await stewardA.post("/v1/jobs/held-1/decisions", json: try stewardDecision("steward-brand-a", job: "held-1", brand: "brand-a", approve: true))
        #expect(twice.status == 409, "\(twice.text)")

        // A rejection, with the steward's reason as the brand's.
        #expect(try await analyst.post("/v1/jobs", json: try job("held-2", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        _ = try await waitFor("held-2") { ($0["held"] as? [String: Any])?["brand-a"] != nil }
        #expect(try await stewardA.post("/v1/jobs/held-2/decisions", json: try stewardDecision("steward-brand-a", job: "held-2", brand: "brand-a", approve: false, reason: "not this quarter")).status == 200)
        let rejected = try await waitFor("held-2") { $0["status"] as? String == "refused" }
        #expect(reason(rejected, "brand-a") == "rejected by steward-brand-a: not this quarter")

        // brand-c holds for one second and its steward says nothing: the hold expires, the job
        // counts brand-c as refusing and ends refused; a later approval is refused by name.
        let bc = ["participants": ["brand-b", "brand-c"], "minParticipants": 2] as [String: Any]
        #expect(try await analyst.post("/v1/jobs", json: try job("held-3", readers: ["analyst"], scheme: "paillier", extra: bc)).status == 201)
        let expired = try await waitFor("held-3") { $0["status"] as? String == "refused" }
        #expect((expired["held"] as? [String: Any])?["brand-c"] != nil && (expired["decisions"] as? [String: Any])?["brand-c"] == nil, "\(expired)")
        let stewardC = try client("steward-brand-c", port: apiPort)
        let late = try await stewardC.post("/v1/jobs/held-3/decisions", json: try stewardDecision("steward-brand-c", job: "held-3", brand: "brand-c", approve: true))
        #expect(late.status == 409, "\(late.text)")

        // Each steward decision is in the transcript, signed by its steward, and audited.
        let export = try await client("auditor", port: apiPort).get("/v1/transcript")
        try export.body.write(to: URL(fileURLWithPath: dir + "/transcript.jsonl"))
        let report = try await Auditor(federation: try FederationKeys.load(directory: testKeys).federationInfo).audit(try TranscriptFile.read(dir + "/transcript.jsonl"))
        let decisions = report.accesses.filter { $0.action == "decide-job" }.map { "\($0.principal) \($0.job) \($0.detail)" }
        #expect(decisions == ["steward-brand-a held-1 approve brand-a: fine", "steward-brand-a held-2 reject brand-a: not this quarter"])
        // brand-c's hold that expired is its own signed word in the transcript: held, with its deadline.
        let holdsOfC = try TranscriptFile.read(dir + "/transcript.jsonl").filter { $0.kind == "job_decision" && $0.author == "brand-c" }
            .map { try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: $0.envelope).body) }.filter { $0.jobID == "held-3" }
        #expect(holdsOfC.count == 1 && holdsOfC.first?.jobDecision.held == true && (holdsOfC.first?.jobDecision.holdDeadline ?? 0) > 0, "\(holdsOfC)")
        #expect(report.accesses.contains { $0.action == "cancel-job" && $0.principal == "analyst" && $0.job == "queued-1" })
    }

    /// A job held for a steward survives a coordinator kill: the restarted coordinator reloads
    /// the brand's signed hold, shows it, relays the steward's approval, and the job runs.
    @Test func aHeldJobSurvivesACoordinatorKill() async throws {
        let dir = try temporaryDirectory()
        let (first, port, apiPort) = try await startService(dir, participantPort: try LoopbackPort.free())
        try JSONSerialization.data(withJSONObject: ["stewardApproval": true, "stewardTimeout": 300]).write(to: URL(fileURLWithPath: dir + "/a-policy.json"))
        var nodes: [NodeProcess] = []
        var expected = [Int64](repeating: 0, count: Self.length)
        for (i, id) in ["brand-a", "brand-b"].enumerated() {
            for j in 0..<Self.length { expected[j] += values(i)[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values(i)), "--state", dir + "/\(id).sqlite"]
                + (id == "brand-a" ? ["--policy", dir + "/a-policy.json"] : []), in: dir, name: id))
        }
        defer { for n in nodes { n.signal(SIGTERM) } }
        let ab = ["participants": ["brand-a", "brand-b"], "minParticipants": 2] as [String: Any]
        let analyst = try client("analyst", port: apiPort)
        #expect(try await analyst.post("/v1/jobs", json: try job("held-r", readers: ["analyst"], scheme: "paillier", extra: ab)).status == 201)
        _ = try await awaitJob("held-r", as: analyst, coordinator: first) { ($0["held"] as? [String: Any])?["brand-a"] != nil }
        first.signal(SIGKILL)
        _ = try await first.waitForExit(timeout: 30)

        let (second, _, apiPort2) = try await startService(dir, participantPort: port, name: "coordinator-2")
        defer { second.signal(SIGTERM) }
        let again = try client("analyst", port: apiPort2)
        let reloaded = try json(try await again.get("/v1/jobs/held-r"))
        #expect(reloaded["status"] as? String == "active" && (reloaded["held"] as? [String: Any])?["brand-a"] != nil, "\(reloaded)")
        // The steward approves through the restarted coordinator once its brand is back.
        let steward = try client("steward-brand-a", port: apiPort2)
        var approved: APIClient.Reply?
        for _ in 0..<120 {
            approved = try await steward.post("/v1/jobs/held-r/decisions", json: try stewardDecision("steward-brand-a", job: "held-r", brand: "brand-a", approve: true))
            if approved?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(250))  // brand-a reconnecting: "is not connected"
        }
        #expect(approved?.status == 200, "\(approved?.text ?? "")")
        _ = try await awaitJob("held-r", as: again, coordinator: second) { $0["status"] as? String == "done" }
        let rounds = try json(try await again.get("/v1/jobs/held-r/result"))["rounds"] as? [[String: Any]]
        #expect((rounds?.first?["sums"] as? [NSNumber])?.map(\.int64Value) == expected)
    }

    @Test func aCertificateFromAnotherCAIsRefusedByTLS() async throws {
        let dir = try temporaryDirectory()
        let other = dir + "/other"
        try KeyCeremony.run(.init(federation: "other", participants: ["brand-a", "brand-b", "brand-c"], threshold: 2, bits: 512, seed: 9,
                                  principals: KeyCeremony.Principal.standard(participants: ["brand-a"])), directory: other)
        let (coordinator, _, apiPort) = try await startService(dir)
        defer { coordinator.signal(SIGTERM) }
        let foreign = try APIClient(host: "127.0.0.1", port: apiPort, tls: try NodeKeys.principal(directory: other, id: "analyst").tls)
        await #expect(throws: (any Error).self) { _ = try await foreign.get("/v1/health") }
        // A certificate of this federation's CA, but expired: refused by TLS too.
        let (expired, key) = try FederationKeys.issueCertificate(directory: testKeys, commonName: "analyst", validityDays: 1,
                                                                 now: Date().addingTimeInterval(-10 * 86400))
        let stale = try APIClient(host: "127.0.0.1", port: apiPort, tls: TLSIdentity(certificateChainPEM: expired.certificatePEM, privateKeyPEM: key,
                                                                                     trustedCAPEM: try String(contentsOfFile: testKeys + "/ca.pem", encoding: .utf8)))
        await #expect(throws: (any Error).self) { _ = try await stale.get("/v1/health") }
        // The same request with this federation's analyst succeeds.
        #expect(try await client("analyst", port: apiPort).get("/v1/health").status == 200)
    }
}

/// A coordinator serving the job API on the committed TEST federation (state in `dir`):
/// the process, its participant port and its API port.
func startService(_ dir: String, participantPort: Int = 0, name: String = "coordinator", roundTimeout: Double = 20,
                  concurrentJobs: Int = 4) async throws -> (NodeProcess, Int, Int) {
    let c = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:\(participantPort)", "--api", "127.0.0.1:0",
        "--state", dir + "/coordinator.sqlite", "--round-timeout", "\(roundTimeout)", "--concurrent-jobs", "\(concurrentJobs)"], in: dir, name: name)
    let log = try await c.waitFor("api listening on")
    let apiLine = try #require(log.split(separator: "\n").first { $0.hasPrefix("api listening on ") })
    return (c, try listeningPort(log), try #require(Int(apiLine.split(separator: ":").last ?? "")))
}

/// Loads a page in headless Chromium (Debian's `chromium`, installed by scripts/test): the
/// rendered DOM must hold `texts`, and a screenshot is written beside the page (PNG).
func renderInChromium(_ page: String, expecting texts: [String]) async throws {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let binary = try #require(chromium, "chromium is not installed: scripts/test installs it (apt-get install chromium)")
    func run(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(page).profile"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
    let dom = try run(["--dump-dom", "file://" + page])
    for text in texts { #expect(dom.contains(text), "the rendered page lacks \(text)") }
    #expect(dom.contains("<svg"), "the rendered page has no chart")
    let png = page + ".png"
    _ = try run(["--screenshot=\(png)", "--window-size=1280,2400", "file://" + page])
    let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
    #expect(size > 20_000, "the screenshot \(png) is \(size) bytes")
}

/// The (method, path) of every operation in protocol/api.yaml.
func apiOperations() throws -> [(String, String)] {
    let text = try String(contentsOfFile: repositoryRoot + "/protocol/api.yaml", encoding: .utf8)
    var out: [(String, String)] = [], path: String?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") { path = String(line.dropFirst(2).dropLast()) }
        else if !line.hasPrefix(" ") { path = nil }
        else if let path, ["    get:", "    post:"].contains(String(line)) { out.append((line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: ""), path)) }
    }
    return out
}

/// Whether an API reply's error message contains `text`.
func says(_ reply: APIClient.Reply, _ text: String) -> Bool { reply.errorMessage.contains(text) }

/// The masked vector of a stored one-shot submission envelope (for the auditor's export).
func maskedVector(of envelope: Data) throws -> Data? {
    let b = try body(of: envelope)
    guard case .submission(let s) = b.payload, s.hasOneShot else { return nil }
    return s.oneShot.masked
}
