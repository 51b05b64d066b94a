import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import TesseraAudit
import TesseraCoordinator
import TesseraReport
import TesseraCrypto
import TesseraProtocol
import TesseraState
import TesseraTransport

/// The coordinator's job API (protocol/api.yaml): HTTP/1.1 over mutually authenticated TLS 1.3
/// on its own port, trusting the federation CA alone. Every request is authenticated by its
/// client certificate (matched by fingerprint against the signed manifest) and authorised by
/// `AccessMatrix` before the coordinator is asked anything; every result read, transcript
/// export, proposal and cancellation enters the transcript with the principal's identity.
public struct APIServer: Sendable {
    public let coordinator: Coordinator
    public let federation: FederationInfo
    public let metrics: Metrics
    public let logger: Logger
    let dashboardState = DashboardState()
    /// Largest accepted request body (a job file).
    public static let bodyLimit = 1 << 20

    public init(coordinator: Coordinator, federation: FederationInfo, metrics: Metrics, logger: Logger) {
        self.coordinator = coordinator
        self.federation = federation
        self.metrics = metrics
        self.logger = logger
    }

    /// Serves until the task is cancelled; `onRunning` gets the bound port.
    public func run(host: String, port: Int, tls: TLSIdentity, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: router(), server: try .tls(.http1(), tlsConfiguration: try tls.serverConfiguration()),
                              configuration: .init(address: .hostname(host, port: port), serverName: "tessera"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                              logger: logger)
        try await app.run()
    }

    func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.get("/v1/health") { _, context in try await handle(context, .health) { _ in
            .json(["status": "ok", "federation": federation.name])
        } }
        router.get("/v1/jobs") { request, context in try await handle(context, .listJobs) { caller in
            let visible = try await coordinator.jobSummaries().filter { job in
                guard case .principal(let p) = caller else { return false }
                return AccessMatrix.visible(facts(job), to: p)
            }
            let page = try Self.page(visible, limit: request.uri.queryParameters.get("limit"), after: request.uri.queryParameters.get("after"))
            return try .json(encodable: JobPage(jobs: page.jobs, next: page.next))
        } }
        router.post("/v1/jobs") { request, context in
            let body = try await request.body.collect(upTo: Self.bodyLimit)
            return try await handle(context, .proposeJob) { caller in
                let definition = try Self.decodeJob(Data(buffer: body))
                let summary = try await coordinator.submit(definition, proposer: caller.id)
                try await coordinator.recordAccess(principal: caller.id, role: caller.role, action: AccessMatrix.Action.proposeJob.rawValue, job: summary.id)
                return try .json(encodable: summary, status: .created)
            }
        }
        router.get("/v1/jobs/:id") { _, context in
            let id = try context.parameters.require("id")
            let job = try await coordinator.jobSummary(id)
            return try await handle(context, .readJob, job: job.map(facts), missing: "no job \(id.debugDescription)") { _ in
                try .json(encodable: job!)
            }
        }
        router.get("/v1/jobs/:id/result") { request, context in
            let id = try context.parameters.require("id")
            let job = try await coordinator.jobSummary(id)
            return try await handle(context, .readResult, job: job.map(facts), missing: "no job \(id.debugDescription)") { caller in
                let rounds = try await coordinator.releasedRounds(id)
                guard let job, job.status == "done", !rounds.isEmpty else {
                    throw APIError(.conflict, "job \(id) has released no result (status \(job?.status ?? "unknown"))")
                }
                let csv = request.uri.queryParameters.get("format") == "csv"
                try await coordinator.recordAccess(principal: caller.id, role: caller.role, action: AccessMatrix.Action.readResult.rawValue, job: id,
                                                   detail: "format=\(csv ? "csv" : "json"), rounds=\(rounds.count)")
                if csv { return .text(ResultTable.csv(rounds), contentType: "text/csv") }
                return try .json(encodable: ResultDocument(job: id, kind: job.kind, scheme: job.scheme, epsilon: job.epsilon, delta: job.delta, rounds: rounds))
            }
        }
        router.post("/v1/jobs/:id/decisions") { request, context in
            let id = try context.parameters.require("id")
            let job = try await coordinator.jobSummary(id)
            let body = Data(buffer: try await request.body.collect(upTo: Self.bodyLimit))
            // The brand is named inside the envelope the caller signed: opened before the matrix decides.
            var opened: (brand: String, envelope: Data)?
            return try await handle(context, .decideJob, job: job.map(facts), brand: { caller in
                opened = try Self.stewardEnvelope(body, job: id, signer: caller.id, federation: federation)
                return opened?.brand
            }, missing: "no job \(id.debugDescription)") { caller in
                guard let opened else { throw APIError(.internalServerError, "no envelope") }
                try await coordinator.relayStewardDecision(job: id, brand: opened.brand, steward: caller.id, envelope: opened.envelope)
                return .json(["job": id, "brand": opened.brand, "status": "relayed"])
            }
        }
        router.post("/v1/jobs/:id/cancel") { _, context in
            let id = try context.parameters.require("id")
            let job = try await coordinator.jobSummary(id)
            return try await handle(context, .cancelJob, job: job.map(facts), missing: "no job \(id.debugDescription)") { caller in
                try await coordinator.cancel(id, principal: caller.id, role: caller.role)
                return .json(["job": id, "status": "cancelled"])
            }
        }
        router.get("/v1/ledgers/:brand") { _, context in
            let brand = try context.parameters.require("brand")
            return try await handle(context, .readLedger, brand: { _ in brand }) { _ in
                guard federation.participants[brand] != nil else { throw APIError(.notFound, "\(brand.debugDescription) is not a participant of federation \(federation.name)") }
                let spent = try await coordinator.ledgerView().filter { $0.participant == brand }
                    .map { LedgerEntry(job: $0.job, round: $0.round, epsilon: $0.epsilon, delta: $0.delta) }
                return try .json(encodable: LedgerDocument(brand: brand, entries: spent, epsilon: spent.map(\.epsilon).reduce(0, +)))
            }
        }
        router.get("/v1/transcript") { _, context in try await handle(context, .exportTranscript) { caller in
            let entries = try await coordinator.transcriptEntries()
            try await coordinator.recordAccess(principal: caller.id, role: caller.role, action: AccessMatrix.Action.exportTranscript.rawValue,
                                               detail: "entries=1..\(entries.count)")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var out = Data()
            for e in entries { out += try encoder.encode(e); out += Data("\n".utf8) }
            return .bytes(out, contentType: "application/jsonl")
        } }
        router.get("/v1/dashboard") { _, context in try await handle(context, .viewDashboard) { caller in
            .bytes(Data(try await dashboard(for: caller).html().utf8), contentType: "text/html; charset=utf-8")
        } }
        router.get("/v1/metrics") { _, context in try await handle(context, .readMetrics) { _ in
            .text(metrics.exposition(), contentType: "text/plain; version=0.0.4")
        } }
        return router
    }

    /// The dashboard as `caller` may see it: results only of the jobs it reads (each first view
    /// of a result is recorded like any other read), the live transcript's audit status.
    func dashboard(for caller: AccessMatrix.Caller) async throws -> DashboardModel {
        let connected = Set(await coordinator.connectedParticipants())
        var members = federation.participantIDs.map { DashboardModel.Member(id: $0, role: "participant", organisation: $0, connected: connected.contains($0)) }
        members += federation.principals.values.sorted { $0.id < $1.id }.map { .init(id: $0.id, role: $0.role, organisation: $0.organisation, connected: nil) }
        let summaries = try await coordinator.jobSummaries()
        let jobs = summaries.map { j in
            DashboardModel.Job(id: j.id, kind: j.kind, scheme: j.scheme, status: j.status, proposer: j.proposer ?? "job file", readers: j.readers,
                               epsilon: j.epsilon ?? "—", decisions: j.participants.map { brand in
                (brand, j.decisions[brand].map { $0.accept ? "accepted" : "refused: \($0.reason)" } ?? (j.held[brand] != nil ? "held for its steward" : "undecided"))
            })
        }
        let known = try await coordinator.budgets()
        let budgets = federation.participantIDs.compactMap { brand in known[brand].map { DashboardModel.Budget(brand: brand, spent: $0.spent, total: $0.total) } }
        var results: [DashboardModel.Result] = []
        for job in summaries where job.status == "done" && job.readers.contains(caller.id) {
            for r in try await coordinator.releasedRounds(job.id) {
                results.append(.init(job: job.id, round: r.round, contributors: r.contributors, sums: r.sums))
            }
            if await dashboardState.firstView(caller.id, job.id) {
                try await coordinator.recordAccess(principal: caller.id, role: caller.role, action: AccessMatrix.Action.readResult.rawValue,
                                                   job: job.id, detail: "dashboard")
            }
        }
        let entries = try await coordinator.transcriptEntries()
        let (audit, passed) = await dashboardState.audit(entries, federation: federation, store: coordinator.stateStore)
        return DashboardModel(federation: federation.name, viewer: caller.id, viewerRole: caller.role, generated: Date(), members: members,
                              jobs: jobs, budgets: budgets, results: results, audit: audit, auditPassed: passed)
    }

    func facts(_ job: Coordinator.JobSummary) -> AccessMatrix.JobFacts {
        AccessMatrix.JobFacts(participants: job.participants, readers: job.readers, proposer: job.proposer)
    }

    /// Authenticates the caller, checks the matrix, runs `body`, and maps every failure to a
    /// status and a JSON error naming the problem.
    /// `brand` names the brand an action concerns; it may depend on the caller (a steward's
    /// decision names its brand inside the envelope the caller signed).
    func handle(_ context: APIContext, _ action: AccessMatrix.Action, job: AccessMatrix.JobFacts? = nil,
                brand: (AccessMatrix.Caller) throws -> String? = { _ in nil },
                missing: String? = nil, _ body: (AccessMatrix.Caller) async throws -> APIResponse) async throws -> Response {
        let started = ContinuousClock.now
        let response: APIResponse
        do {
            let caller = try await authenticate(context)
            // A node is refused before anything else, so it learns nothing about jobs.
            if case .node = caller { try AccessMatrix.authorize(caller, action) }
            if let missing, job == nil { throw APIError(.notFound, missing) }
            try AccessMatrix.authorize(caller, action, job: job, brand: try brand(caller))
            response = try await body(caller)
        } catch let denied as AccessMatrix.Denied {
            logger.warning("API request refused", metadata: ["action": .string(action.rawValue), "reason": .string(denied.reason)])
            response = .error(.forbidden, "\(denied)")
        } catch let error as APIError {
            response = .error(error.status, error.message, field: error.field)
        } catch let error as Coordinator.JobFieldError {
            response = .error(.badRequest, error.message, field: error.field)
        } catch let error as ProtocolError {
            response = .error(Self.status(of: error.code), error.message)
        } catch {
            logger.error("API internal error", metadata: ["action": .string(action.rawValue), "error": .string("\(error)")])
            response = .error(.internalServerError, "internal error")
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        metrics.increment("tessera_api_requests_total", labels: ["action": action.rawValue, "status": "\(response.status.code)"])
        metrics.observe("tessera_api_request_duration_seconds", labels: ["action": action.rawValue], seconds: seconds)
        return response.response
    }

    func authenticate(_ context: APIContext) async throws -> AccessMatrix.Caller {
        guard let certificate = try await context.channel.nioSSL_peerCertificate().get() else {
            throw APIError(.unauthorized, "no client certificate")
        }
        let fingerprint = SHA256Digest.hash(try certificate.toDERBytes()).hex
        if let principal = federation.principal(withFingerprint: fingerprint) { return .principal(principal) }
        if let node = federation.participant(withFingerprint: fingerprint) { return .node(node.id) }
        throw APIError(.forbidden, "certificate \(fingerprint) is not in the federation manifest")
    }

    static func status(of code: Tessera_V1_ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .duplicate, .refused, .roundClosed: .conflict
        case .wrongJob: .notFound
        case .internal: .internalServerError
        default: .badRequest
        }
    }

    /// A steward's decision from a request body {"envelope": base64}: a signed envelope by
    /// `signer` (the authenticated caller) for this job, carrying a StewardDecision.
    public static func stewardEnvelope(_ data: Data, job: String, signer: String, federation: FederationInfo) throws -> (brand: String, envelope: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let text = object["envelope"] as? String,
              let envelope = Data(base64Encoded: text) else {
            throw APIError(.badRequest, "the body must be {\"envelope\": base64 of the steward's signed StewardDecision}", field: "envelope")
        }
        let body: Tessera_V1_Body
        do { body = try SignedEnvelope.open(try Tessera_V1_Envelope.parse(envelope), expectedSender: signer, federation: federation) } catch {
            throw APIError(.badRequest, "the envelope is not signed by \(signer): \(error)", field: "envelope")
        }
        guard body.federation == federation.name, body.jobID == job, body.sequence == 0, case .stewardDecision(let decision) = body.payload else {
            throw APIError(.badRequest, "the envelope is not a steward decision on job \(job) of federation \(federation.name)", field: "envelope")
        }
        return (decision.brand, envelope)
    }

    /// One page of a listing: at most `limit` jobs (1…1000; all when absent) after the job
    /// `after` (a cursor from the previous page's `next`), and the cursor of the next page.
    public static func page(_ jobs: [Coordinator.JobSummary], limit: String?, after: String?) throws -> (jobs: [Coordinator.JobSummary], next: String?) {
        var start = 0
        if let after {
            guard let i = jobs.firstIndex(where: { $0.id == after }) else { throw APIError(.badRequest, "after: no job \(after.debugDescription) in this listing", field: "after") }
            start = i + 1
        }
        var count = jobs.count - start
        if let limit {
            guard let n = Int(limit), (1...1000).contains(n) else { throw APIError(.badRequest, "limit must be an integer in 1...1000, not \(limit.debugDescription)", field: "limit") }
            count = min(count, n)
        }
        let slice = Array(jobs[start..<(start + count)])
        return (slice, start + count < jobs.count ? slice.last?.id : nil)
    }

    /// A job file from a request body: JSON, with the coordinator-set "proposer" refused.
    public static func decodeJob(_ data: Data) throws -> JobDefinition {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(.badRequest, "the request body is not a JSON object (a job file, protocol/README.md §7)")
        }
        if object["proposer"] != nil {
            throw APIError(.badRequest, "proposer is set by the coordinator from your certificate, not by the job file", field: "proposer")
        }
        do { return try JSONDecoder().decode(JobDefinition.self, from: data) } catch let error as DecodingError {
            let (field, reason) = ReadableErrors.fieldAndReason(error)
            throw APIError(.badRequest, "job file: \(field.isEmpty ? "" : "field `\(field)`: ")\(reason)", field: field.isEmpty ? nil : field)
        }
    }
}

/// The dashboard's memory: which results each principal has been shown (recorded once), and
/// the audit of the transcript up to the last entry count it was run on.
actor DashboardState {
    var viewed: Set<String> = []
    var audited: (entries: Int, text: String, passed: Bool)?

    func firstView(_ principal: String, _ job: String) -> Bool { viewed.insert(principal + "\u{0}" + job).inserted }

    func audit(_ entries: [Transcript.Entry], federation: FederationInfo, store: CoordinatorStore) async -> (String, Bool) {
        if let audited, audited.entries == entries.count { return (audited.text, audited.passed) }
        let result: (String, Bool)
        do {
            let report = try await Auditor(federation: federation, maskedVectors: MaskedVectorFiles.reader(store: store)).audit(entries)
            result = ("audit OK: \(report.entries) entries, \(report.jobs) job(s), \(report.rounds) round(s) verified, \(report.accesses.count) access record(s); root \(report.root.map { String(format: "%02x", $0) }.joined())", true)
        } catch {
            result = ("\(error)", false)
        }
        audited = (entries.count, result.0, result.1)
        return result
    }
}

/// The request context: Hummingbird's, plus the channel, whose TLS handler holds the peer's
/// certificate.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { APIServer.bodyLimit }
}

struct APIError: Error {
    let status: HTTPResponse.Status
    let message: String
    var field: String?
    init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

}

struct APIResponse {
    var status: HTTPResponse.Status
    var contentType: String
    var body: Data

    static func json(_ object: [String: String], status: HTTPResponse.Status = .ok) -> APIResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return APIResponse(status: status, contentType: "application/json", body: data + Data("\n".utf8))
    }

    static func json<T: Encodable>(encodable value: T, status: HTTPResponse.Status = .ok) throws -> APIResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return APIResponse(status: status, contentType: "application/json", body: try encoder.encode(value) + Data("\n".utf8))
    }

    static func text(_ text: String, contentType: String) -> APIResponse { bytes(Data(text.utf8), contentType: contentType) }
    static func bytes(_ data: Data, contentType: String) -> APIResponse { APIResponse(status: .ok, contentType: contentType, body: data) }

    static func error(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) -> APIResponse {
        var object = ["error": message]
        if let field { object["field"] = field }
        return json(object, status: status)
    }

    var response: Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

struct ResultDocument: Codable {
    var job: String
    var kind: String
    var scheme: String
    var epsilon: String?
    var delta: String?
    var rounds: [Coordinator.ReleasedRound]
}

struct JobPage: Codable {
    var jobs: [Coordinator.JobSummary]
    var next: String?
}

struct LedgerEntry: Codable { var job: String; var round: Int; var epsilon: Double; var delta: Double }
struct LedgerDocument: Codable { var brand: String; var entries: [LedgerEntry]; var epsilon: Double }

/// Released sums as CSV: one row per (round, index).
enum ResultTable {
    static func csv(_ rounds: [Coordinator.ReleasedRound]) -> String {
        var out = "round,index,sum\n"
        for r in rounds { for (i, v) in r.sums.enumerated() { out += "\(r.round),\(i),\(v)\n" } }
        return out
    }
}
