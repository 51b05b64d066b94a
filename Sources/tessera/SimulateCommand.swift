import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraSimulation

/// `tessera simulate`: a whole federation run from a scenario and a seed (`Simulation`).
/// Writes the transcript (with the public manifest and the masked vectors, ready for
/// `tessera audit`), report.json and report.html into --out; prints the root last.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a scenario; write transcript and report; print the transcript root.")
    @Argument(help: "Scenario file (simulations/NAME.json).") var scenario: String
    @Option(help: "Seed of every random choice in the run.") var seed: UInt64 = 1
    @Option(help: "Output directory (replaced).") var out: String?
    @Option(help: "Run every job under this scheme instead of its own: one-shot or paillier.") var scheme: String?
    @Flag(help: "Run coordinator and participants as actors in this process (same code, still mTLS over loopback).") var inProcess = false

    func validate() throws {
        if let scheme, !["one-shot", "paillier"].contains(scheme) { throw ValidationError("--scheme must be one-shot or paillier, not \(scheme)") }
    }

    func run() async throws {
        let started = Date()
        let s = try Scenario.load(path: scenario)
        let simulation = Simulation(scenario: s, seed: seed, directory: out ?? "out/\(s.name)-\(seed)\(scheme.map { "-" + $0 } ?? "")",
                                    mode: inProcess ? .inProcess : .processes(bin: Self.binDirectory), scheme: scheme) { line in
            FileHandle.standardError.write(Data("[\(String(format: "%6.1f", Date().timeIntervalSince(started))) s] \(line)\n".utf8))
        }
        let outcome = try await simulation.run()
        print("transcript root: \(outcome.root)")
    }

    static var binDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
}

/// `tessera replay`: reruns a scenario and exits 0 only if its transcript root is the expected one.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rerun a scenario and compare its transcript root.")
    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "The expected transcript root (hex).") var expect: String
    @Option(help: "Run every job under this scheme: one-shot or paillier.") var scheme: String?
    @Flag(help: "Run in one process (same root).") var inProcess = false

    func run() async throws {
        let dir = NSTemporaryDirectory() + "tessera-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let simulate = try Simulate.parse([scenario, "--seed", "\(seed)", "--out", dir] + (inProcess ? ["--in-process"] : [])
                                          + (scheme.map { ["--scheme", $0] } ?? []))
        try await simulate.run()
        let report = try JSONSerialization.jsonObject(with: FileBytes.read(dir + "/report.json")) as? [String: Any]
        let root = (report?["metadata"] as? [String: Any])?["transcriptRoot"] as? String ?? ""
        guard root == expect.lowercased() else {
            print("replay differs: got \(root), expected \(expect)")
            throw ExitCode(1)
        }
        print("replay matches: \(root)")
    }
}
