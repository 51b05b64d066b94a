import Foundation
import Testing

/// Every file a user hands a command, wrong in the usual ways: the command refuses it in plain
/// words that name the file, the field and what was expected, never with a decoder's dump.
@Suite struct ReadableErrorTests {
    static let dumps = ["DecodingError", "CodingKeys", "NSCocoaErrorDomain", "Code=", "Debug description", "keyNotFound", "typeMismatch"]

    func run(_ executable: String, _ args: [String], in dir: String) async throws -> (Int32, String) {
        let p = try NodeProcess(executable, args, in: dir, name: executable)
        return (try await p.waitForExit(timeout: 60), p.output)
    }

    func write(_ dir: String, _ name: String, _ text: String) throws -> String {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir + "/" + name
    }

    func expectReadable(_ result: (Int32, String), _ facts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.0 != 0, "the command succeeded", sourceLocation: sourceLocation)
        for fact in facts { #expect(result.1.contains(fact), "no \"\(fact)\" in: \(result.1.suffix(600))", sourceLocation: sourceLocation) }
        for dump in Self.dumps { #expect(!result.1.contains(dump), "a decoder's dump (\(dump)) in: \(result.1.suffix(600))", sourceLocation: sourceLocation) }
    }

    @Test func scenarioFiles() async throws {
        let dir = try temporaryDirectory()
        expectReadable(try await run("tessera", ["simulate", dir + "/absent.json"], in: dir), ["scenario \(dir)/absent.json: no such file"])
        let notJSON = try write(dir, "broken.json", "{\"name\": ")
        expectReadable(try await run("tessera", ["simulate", notJSON], in: dir), ["scenario \(notJSON): not valid JSON"])
        let missing = try write(dir, "missing.json", #"{"name": "x", "keys": "keys/test", "data": {"customersPerBrand": 10}, "jobs": []}"#)
        expectReadable(try await run("tessera", ["simulate", missing], in: dir), ["scenario \(missing): field `brands`: missing"])
        let mistyped = try write(dir, "mistyped.json", #"{"name": "x", "keys": "keys/test", "brands": ["a"], "data": {"customersPerBrand": "many"}, "jobs": []}"#)
        expectReadable(try await run("tessera", ["simulate", mistyped], in: dir), ["scenario \(mistyped): field `data.customersPerBrand`: expected an integer"])
        let nested = try write(dir, "nested.json", #"{"name": "x", "keys": "keys/test", "brands": ["a"], "data": {"customersPerBrand": 5}, "jobs": [{"id": "j", "kind": "vector-sum", "vectorLength": 3}]}"#)
        expectReadable(try await run("tessera", ["simulate", nested], in: dir), ["scenario \(nested): field `jobs[0].valueBound`: missing"])
    }

    @Test func jobFiles() async throws {
        let dir = try temporaryDirectory()
        let serve = { (job: String) in ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", dir + "/c.sqlite", "--job", job] }
        expectReadable(try await run("tessera-coordinator", serve(dir + "/absent.json"), in: dir), ["job file \(dir)/absent.json: no such file"])
        let mistyped = try write(dir, "job.json", #"{"id": "j", "kind": "vector-sum", "vectorLength": "forty", "valueBound": 10}"#)
        expectReadable(try await run("tessera-coordinator", serve(mistyped), in: dir), ["job file \(mistyped): field `vectorLength`: expected an integer"])
        try FileManager.default.createDirectory(atPath: dir + "/adir", withIntermediateDirectories: true)
        expectReadable(try await run("tessera-coordinator", serve(dir + "/adir"), in: dir), ["job file \(dir)/adir: is a directory"])
    }

    @Test func policyAndFaultFiles() async throws {
        let dir = try temporaryDirectory()
        let data = try writeData(dir, name: "a", values: [1, 2, 3])
        let base = ["run", "--keys", testKeys, "--id", "brand-a", "--coordinator", "127.0.0.1:9", "--data", data, "--state", dir + "/a.sqlite"]
        let policy = try write(dir, "policy.json", #"{"budget": {"epsilon": "ten"}}"#)
        expectReadable(try await run("tessera-participant", base + ["--policy", policy], in: dir), ["policy file \(policy): field `budget.epsilon`: expected a number"])
        let faults = try write(dir, "faults.json", #"[{"participant": "brand-a"}]"#)
        expectReadable(try await run("tessera-participant", base + ["--faults", faults], in: dir), ["faults file \(faults): field `[0].kind`: missing"])
    }

    @Test func transcripts() async throws {
        let dir = try temporaryDirectory()
        expectReadable(try await run("tessera", ["audit", dir], in: dir), ["\(dir)/manifest.json: missing file"])
        try FileManager.default.copyItem(atPath: testKeys + "/manifest.json", toPath: dir + "/manifest.json")
        try FileManager.default.copyItem(atPath: testKeys + "/ca.pem", toPath: dir + "/ca.pem")
        expectReadable(try await run("tessera", ["audit", dir], in: dir), ["transcript \(dir)/transcript.jsonl: no such file"])
    }
}
