import ArgumentParser
import Foundation
import TesseraNode
import TesseraParallel
import TesseraParticipant
import TesseraState

@main
struct ParticipantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tessera-participant",
        abstract: "A Tessera participant: contributes encrypted updates and its share of decryption.",
        subcommands: [Run.self, Ledger.self, Abandon.self])
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Connect to the coordinator and serve jobs.")

    @Option(help: "Key directory written by `tessera keys init`.") var keys: String
    @Option(help: "This participant's id in the manifest.") var id: String
    @Option(help: "Coordinator address, HOST:PORT.") var coordinator: String
    @Option(help: "Local vector file (vector-sum jobs).") var data: String?
    @Option(help: "Order data, CSV or SQLite with an `orders` table (segment-profile, kmeans, logreg jobs).") var orders: String?
    @Flag(help: "Skip invalid order rows (counted in the log) instead of refusing the job.") var skipInvalidRows = false
    @Option(help: "SQLite state file (created if missing).") var state: String
    @Option(help: "Local policy file (JSON); defaults apply without one.") var policy: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Flag(help: "Exit once the job's last result has been received.") var exitAfterJob = false
    @Option(help: "SIMULATIONS ONLY: derive all randomness from this seed (reproducible, not secret).") var simulationSeed: UInt64?
    @Option(help: "SIMULATIONS ONLY: faults to inject, a JSON list (simulations/README.md).") var faults: String?
    @Option(help: "Threads for encryption, masking and partial decryptions (default: every core).") var threads: Int?

    func run() async throws {
        let logger = NodeSupport.logger(label: "tessera.participant.\(id)", level: logLevel)
        let node = try NodeKeys.participant(directory: keys, id: id)
        let (host, port) = try NodeSupport.parseHostPort(coordinator)
        let participant = Participant(.init(
            id: id, federation: node.federation, tls: try node.tls.clientContext(), signingKey: node.signingKey,
            share: node.paillierShare, store: try ParticipantStore(path: state), data: try data.map { try VectorData.load(path: $0) } ?? VectorData(values: []),
            policy: try LocalPolicy.load(path: policy), host: host, port: port, logger: logger, exitAfterJob: exitAfterJob, seed: simulationSeed,
            faults: try Fault.load(path: faults, participant: id), orders: orders, skipInvalidRows: skipInvalidRows,
            parallelism: threads.map(Parallelism.init(threads:)) ?? .all, sealingKey: node.sealingKey))
        let task = Task { await participant.run() }
        let signals = NodeSupport.onTermination {
            logger.notice("termination requested")
            task.cancel()
        }
        defer { _ = signals }
        await task.value
        logger.notice("participant stopped")
    }
}

/// Opens an existing state file (an operator command must not create an empty one).
func existingStore(_ path: String) throws -> ParticipantStore {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("no state file at \(path) (the --state a participant node runs with)")
    }
    return try ParticipantStore(path: path)
}

struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "This brand's privacy ledger: rounds spent, what accepted jobs still running reserve, and what is left of the budget.")

    @Option(help: "The participant's SQLite state file.") var state: String
    @Option(help: "Local policy file (JSON) whose budget applies; defaults apply without one.") var policy: String?
    @Flag(help: "JSON instead of lines.") var json = false

    func run() throws {
        let store = try existingStore(state)
        let budget = try LocalPolicy.load(path: policy).budget
        let statement = try BudgetStatement(store: store, budget: (budget.epsilon, budget.delta))
        if json {
            let data = try JSONSerialization.data(withJSONObject: statement.json, options: [.sortedKeys, .prettyPrinted])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            print(statement.text)
        }
    }
}

struct Abandon: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "End an accepted job on this brand's side: release what it reserves and refuse every later request for it (works on a running node).")

    @Option(help: "The participant's SQLite state file.") var state: String
    @Option(help: "The job to abandon.") var job: String

    func run() throws {
        let store = try existingStore(state)
        if let released = try JobAbandonment.abandon(job: job, store: store) {
            print("job \(job) abandoned: released ε = \(released.left.epsilon), δ = \(released.left.delta) (its rounds spent ε = \(released.spent.epsilon), which stays spent)")
        } else {
            print("job \(job) abandoned: it had nothing left reserved")
        }
    }
}
