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
        @Option(help: "The federation's key directory (only the public manifest.json, ca.pem and paillier-dealing.json are copied).") var keys: String
        @Option(help: "Output directory.") var out: String

        func run() async throws {
            let entries = try CoordinatorStore(path: state).transcript()
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try TranscriptFile.write(entries, to: out + "/transcript.jsonl")
            let masked = try MaskedVectorFiles.export(from: try CoordinatorStore(path: state), to: out)
            for name in ["manifest.json", "ca.pem", "paillier-dealing.json"] where FileManager.default.fileExists(atPath: keys + "/" + name) {
                let target = out + "/" + name
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: keys + "/" + name, toPath: target)
            }
            print("\(entries.count) entries, \(masked) masked vectors; root \(entries.last.map { $0.chain.map { String(format: "%02x", $0) }.joined() } ?? "none")")
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Verify an exported transcript: chain, signatures, aggregates, proofs, results, privacy.")
    @Argument(help: "Directory with transcript.jsonl, manifest.json, ca.pem (and masked/ for one-shot jobs, paillier-dealing.json for Paillier jobs).") var directory: String

    func run() async throws {
        let keys = try FederationKeys.load(directory: directory)
        do {
            let report = try await Auditor(federation: keys.federationInfo, maskedVectors: MaskedVectorFiles.reader(directory))
                .audit(try TranscriptFile.read(directory + "/transcript.jsonl"))
            for key in report.keys {
                print("federation key of epoch \(key.epoch.map { String(format: "%02x", $0) }.joined()): recomputed from \(key.qualified.count) qualified dealings (\(key.qualified.joined(separator: ", "))), \(key.verificationKeys) verification keys derived\(key.excluded.isEmpty ? "" : "; excluded: " + key.excluded.map { "\($0.holder) (\($0.reason))" }.joined(separator: "; "))")
            }
            for (id, eps) in report.spent.sorted(by: { $0.key < $1.key }) { print(String(format: "privacy: %@ spent ε = %.6g", id, eps)) }
            for a in report.accesses {
                print("access: entry \(a.position): \(a.principal) (\(a.role)) \(a.action)\(a.job.isEmpty ? "" : " \(a.job)")\(a.detail.isEmpty ? "" : " [\(a.detail)]")")
            }
            let refused = report.refusedRounds > 0 ? ", \(report.refusedRounds) refused round(s) checked" : ""
            print("audit OK: \(report.entries) entries, \(report.jobs) job(s), \(report.rounds) round(s) verified\(refused); root \(report.root.map { String(format: "%02x", $0) }.joined())")
        } catch let failure as Auditor.Failure {
            print(failure.description)
            throw ExitCode(1)
        }
    }
}
