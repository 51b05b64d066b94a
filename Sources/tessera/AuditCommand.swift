import ArgumentParser
import Foundation
import TesseraAudit
import TesseraKeys
import TesseraState

struct TranscriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transcript", abstract: "Transcripts for auditors.",
                                                    subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a coordinator's transcript with the public manifest into DIR.")
        @Option(help: "The coordinator's SQLite state.") var state: String
        @Option(help: "The federation's key directory (only manifest.json and ca.pem are copied).") var keys: String
        @Option(help: "Output directory.") var out: String

        func run() async throws {
            let entries = try CoordinatorStore(path: state).transcript()
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try TranscriptFile.write(entries, to: out + "/transcript.jsonl")
            for name in ["manifest.json", "ca.pem"] {
                let target = out + "/" + name
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: keys + "/" + name, toPath: target)
            }
            print("\(entries.count) entries; root \(entries.last.map { $0.chain.map { String(format: "%02x", $0) }.joined() } ?? "none")")
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Verify an exported transcript: chain, signatures, aggregates, proofs, results, privacy.")
    @Argument(help: "Directory with transcript.jsonl, manifest.json and ca.pem.") var directory: String

    func run() async throws {
        let keys = try FederationKeys.load(directory: directory)
        do {
            let report = try Auditor(federation: keys.federationInfo).audit(try TranscriptFile.read(directory + "/transcript.jsonl"))
            for (id, eps) in report.spent.sorted(by: { $0.key < $1.key }) { print(String(format: "privacy: %@ spent ε = %.6g", id, eps)) }
            print("audit OK: \(report.entries) entries, \(report.jobs) job(s), \(report.rounds) round(s) verified; root \(report.root.map { String(format: "%02x", $0) }.joined())")
        } catch let failure as Auditor.Failure {
            print(failure.description)
            throw ExitCode(1)
        }
    }
}
