import Foundation
import Testing
import TesseraAudit
import TesseraKeys
import TesseraNode
import TesseraState

/// An honest two-round run audits clean; every kind of tampering is caught and located.
@Suite(.serialized) struct AuditTests {
    func honestRun() async throws -> (dir: String, entries: [Transcript.Entry]) {
        let dir = try temporaryDirectory()
        let length = 30
        let job = try writeJob(dir, id: "audited", length: length, rounds: 2,
                               privacy: ["mechanism": "discrete-gaussian", "variance": "10000", "l2Bound": 200, "delta": 1e-6])
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job, "--exit-after-job"], in: dir, name: "coordinator")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        let policy = dir + "/policy.json"
        try #"{"budget": {"epsilon": 100, "delta": 1e-4}}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        var nodes: [NodeProcess] = []
        for (k, id) in ["brand-a", "brand-b", "brand-c"].enumerated() {
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: (0..<length).map { Int64($0 + k) }), "--state", dir + "/\(id).sqlite",
                "--policy", policy, "--exit-after-job"], in: dir, name: id))
        }
        #expect(try await coordinator.waitForExit(timeout: 120) == 0, "\(coordinator.output.suffix(2000))")
        for n in nodes { _ = try await n.waitForExit(timeout: 60) }
        return (dir, try CoordinatorStore(path: dir + "/coordinator.sqlite").transcript())
    }

    func auditor() throws -> Auditor { Auditor(federation: try FederationKeys.load(directory: testKeys).federationInfo) }

    /// Re-links the chain after a deliberate edit, so that only the semantic checks can catch it.
    func relinked(_ entries: [Transcript.Entry]) -> [Transcript.Entry] {
        var previous = Transcript.genesis
        return entries.enumerated().map { i, e in
            let chain = Transcript.link(previous: previous, position: i + 1, author: e.author, kind: e.kind, envelope: e.envelope)
            previous = chain
            return Transcript.Entry(position: i + 1, author: e.author, kind: e.kind, envelope: e.envelope, chain: chain)
        }
    }

    @Test func honestTranscriptsAuditAndTamperingIsCaught() async throws {
        let (dir, entries) = try await honestRun()
        let report = try await auditor().audit(entries)
        #expect(report.rounds == 2 && report.jobs == 1)
        #expect(report.spent.count == 3 && report.spent.values.allSatisfy { $0 > 0 })
        #expect(entries.filter { $0.kind == "submission" }.count == 6)

        // A flipped byte in any envelope breaks the chain.
        for position in [0, entries.count / 2, entries.count - 1] {
            var tampered = entries
            var bytes = [UInt8](tampered[position].envelope)
            bytes[bytes.count / 2] ^= 1
            let e = tampered[position]
            tampered[position] = Transcript.Entry(position: e.position, author: e.author, kind: e.kind, envelope: Data(bytes), chain: e.chain)
            await #expect(throws: Auditor.Failure.self) { try await auditor().audit(tampered) }
            // Even with the chain recomputed, the author's signature fails.
            await #expect(throws: Auditor.Failure.self) { try await auditor().audit(relinked(tampered)) }
        }
        // A dropped entry, and two entries swapped.
        var dropped = entries
        dropped.remove(at: entries.firstIndex { $0.kind == "submission" }!)
        await #expect(throws: Auditor.Failure.self) { try await auditor().audit(dropped) }
        await #expect(throws: Auditor.Failure.self) { try await auditor().audit(relinked(dropped)) }
        var swapped = entries
        swapped.swapAt(1, 2)
        await #expect(throws: Auditor.Failure.self) { try await auditor().audit(swapped) }
        // A partial decryption entry replaced by another holder's (same round), re-chained.
        let partials = entries.indices.filter { entries[$0].kind == "partial_decryptions" }
        var replaced = entries
        let (i, j) = (partials[0], partials[1])
        replaced[i] = Transcript.Entry(position: entries[i].position, author: entries[i].author, kind: entries[i].kind,
                                       envelope: entries[j].envelope, chain: entries[i].chain)
        let failure = try await #require(throws: Auditor.Failure.self) { try await auditor().audit(relinked(replaced)) }
        #expect(failure.position == entries[i].position)

        // The command line, on the exported directory: passes, then fails on a flipped byte.
        let export = dir + "/export"
        let exporter = try NodeProcess("tessera", ["transcript", "export", "--state", dir + "/coordinator.sqlite", "--keys", testKeys, "--out", export],
                                       in: dir, name: "export")
        #expect(try await exporter.waitForExit() == 0)
        let audit = try NodeProcess("tessera", ["audit", export], in: dir, name: "audit")
        #expect(try await audit.waitForExit() == 0, "\(audit.output)")
        #expect(audit.output.contains("audit OK"))
        var file = try Data(contentsOf: URL(fileURLWithPath: export + "/transcript.jsonl"))
        let middle = file.count / 2
        file[middle] = file[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try file.write(to: URL(fileURLWithPath: export + "/transcript.jsonl"))
        let bad = try NodeProcess("tessera", ["audit", export], in: dir, name: "audit-bad")
        #expect(try await bad.waitForExit() != 0)
        #expect(bad.output.contains("audit FAILED") || bad.output.contains("not a transcript entry"))
    }
}
