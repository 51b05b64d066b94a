import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraNode
import TesseraProtocol
import TesseraService

/// `tessera job …`: the job API's command-line client. It authenticates with the principal's
/// own certificate and key (`--keys`: its node directory, or a TEST federation directory with
/// `--as ID`); what it may do is the access matrix's decision, at the coordinator.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "job",
        abstract: "Submit, list, show, fetch and cancel jobs through the coordinator's job API (mutual TLS, as a principal).",
        subcommands: [JobSubmit.self, JobList.self, JobShow.self, JobResult.self, JobApprove.self, JobReject.self, JobCancel.self,
                      JobLedger.self, JobTranscript.self, JobDashboard.self])
}

struct APIOptions: ParsableArguments {
    @Option(help: "The principal's key directory (tessera keys request + install), or a TEST federation directory with --as.") var keys: String
    @Option(name: .customLong("as"), help: "In a TEST federation directory: the principal's id.") var principal: String?
    @Option(help: "The coordinator's job API, HOST:PORT.") var api: String
    @Option(help: "The name the coordinator's certificate is checked for.") var serverName = "localhost"

    func client() throws -> APIClient {
        let node = try principalNode()
        let (host, port) = try NodeSupport.parseHostPort(api)
        return try APIClient(host: host, port: port, serverName: serverName, tls: node.tls)
    }

    func principalNode() throws -> PrincipalNode { try NodeKeys.principal(directory: keys, id: principal) }
}

/// A steward's decision on a job its brand holds for it, signed with the steward's own key
/// (the coordinator relays it and cannot forge it; the brand and the audit verify it).
func stewardDecision(_ options: APIOptions, job: String, brand: String, approve: Bool, reason: String) async throws {
    let node = try options.principalNode()
    let outbox = Outbox(federation: node.federation.name, sender: node.id, key: node.signingKey, nextSequence: { 0 })
    let envelope = try outbox.seal(job: job, round: 0, .stewardDecision(.with {
        $0.brand = brand
        $0.approve = approve
        $0.reason = reason
    }))
    let body = try JSONSerialization.data(withJSONObject: ["envelope": envelope.base64EncodedString()])
    try finish(try await options.client().post("/v1/jobs/\(job)/decisions", json: body))
}

/// What a steward's approval or rejection names.
struct StewardDecisionArguments: ParsableArguments {
    @Argument var id: String
    @Option(help: "The brand (your organisation).") var brand: String
    @Option(help: "Why, for the transcript (and, for a rejection, the brand's refusal).") var reason = ""
}

struct JobApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "As a brand's steward: approve a job the brand holds for you.")
    @OptionGroup var options: APIOptions
    @OptionGroup var decision: StewardDecisionArguments
    func run() async throws { try await stewardDecision(options, job: decision.id, brand: decision.brand, approve: true, reason: decision.reason) }
}

struct JobReject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "As a brand's steward: reject a job the brand holds for you.")
    @OptionGroup var options: APIOptions
    @OptionGroup var decision: StewardDecisionArguments
    func run() async throws { try await stewardDecision(options, job: decision.id, brand: decision.brand, approve: false, reason: decision.reason) }
}

/// Prints a successful reply's body, or throws with the coordinator's message and status.
func finish(_ reply: APIClient.Reply) throws {
    guard (200..<300).contains(reply.status) else {
        FileHandle.standardError.write(Data("refused (HTTP \(reply.status)): \(reply.errorMessage)\n".utf8))
        throw ExitCode(reply.status == 403 ? 3 : 1)
    }
    FileHandle.standardOutput.write(reply.body)
}

struct JobSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Propose a job (a job file, protocol/README.md §7) as an analyst.")
    @OptionGroup var options: APIOptions
    @Argument(help: "The job file (JSON).") var file: String
    func run() async throws {
        let data = try FileBytes.read(file)
        try finish(try await options.client().post("/v1/jobs", json: data))
    }
}

struct JobList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The jobs this principal may see, with their status.")
    @OptionGroup var options: APIOptions
    @Option(help: "At most this many jobs (1...1000).") var limit: Int?
    @Option(help: "The previous page's next cursor.") var after: String?
    func run() async throws {
        let query = [limit.map { "limit=\($0)" }, after.map { "after=\($0)" }].compactMap { $0 }.joined(separator: "&")
        try finish(try await options.client().get("/v1/jobs" + (query.isEmpty ? "" : "?" + query)))
    }
}

struct JobShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One job: spec facts, status, every brand's decision.")
    @OptionGroup var options: APIOptions
    @Argument var id: String
    func run() async throws { try finish(try await options.client().get("/v1/jobs/\(id)")) }
}

struct JobResult: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "result", abstract: "A job's released result, for its readers only (the read enters the transcript).")
    @OptionGroup var options: APIOptions
    @Argument var id: String
    @Flag(help: "CSV (round,index,sum) instead of JSON.") var csv = false
    func run() async throws { try finish(try await options.client().get("/v1/jobs/\(id)/result" + (csv ? "?format=csv" : ""))) }
}

struct JobCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a queued job (the operator, or the analyst who proposed it).")
    @OptionGroup var options: APIOptions
    @Argument var id: String
    func run() async throws { try finish(try await options.client().post("/v1/jobs/\(id)/cancel")) }
}

struct JobLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "A brand's privacy spending as the coordinator recorded it (its steward, the operator, auditors).")
    @OptionGroup var options: APIOptions
    @Argument var brand: String
    func run() async throws { try finish(try await options.client().get("/v1/ledgers/\(brand)")) }
}

struct JobDashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "The live dashboard as one HTML page (operator, analysts, auditors).")
    @OptionGroup var options: APIOptions
    func run() async throws { try finish(try await options.client().get("/v1/dashboard")) }
}

struct JobTranscript: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transcript", abstract: "Export the signed transcript (JSON lines; operator and auditors; the export enters it).")
    @OptionGroup var options: APIOptions
    func run() async throws { try finish(try await options.client().get("/v1/transcript")) }
}
