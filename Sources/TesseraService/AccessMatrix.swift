import TesseraProtocol

/// Who may do what through the job API: the one place that decides (protocol/access.md has
/// the same matrix as a table; `AccessMatrixTests` checks every cell of it against this code).
///
/// A caller is authenticated by its TLS client certificate, matched by fingerprint against
/// the signed manifest: a principal (operator, analyst, steward, auditor, each with its
/// organisation) or a participant node. Nothing in a request body can change who the caller
/// is. Results go only to the principals a job names as its readers, whatever their role:
/// the brands approved the spec with those readers, so the platform's operator reads a
/// result only if the brands agreed to it.
public enum AccessMatrix {
    public enum Action: String, CaseIterable, Sendable {
        case health
        case proposeJob = "propose-job"
        case listJobs = "list-jobs"
        case readJob = "read-job"
        case decideJob = "decide-job"
        case cancelJob = "cancel-job"
        case readResult = "read-result"
        case readLedger = "read-ledger"
        case exportTranscript = "export-transcript"
        case readMetrics = "read-metrics"
        case viewDashboard = "view-dashboard"
    }

    public enum Caller: Sendable, Equatable {
        case principal(FederationInfo.Principal)
        /// A participant node (machine principal): it speaks the protocol, not the API.
        case node(String)

        public var id: String {
            switch self {
            case .principal(let p): p.id
            case .node(let id): id
            }
        }

        public var role: String {
            switch self {
            case .principal(let p): p.role
            case .node: "participant"
            }
        }
    }

    /// The facts of a job that decide access to it.
    public struct JobFacts: Sendable {
        public var participants: [String]
        public var readers: [String]
        public var proposer: String?
        public init(participants: [String], readers: [String], proposer: String?) {
            self.participants = participants
            self.readers = readers
            self.proposer = proposer
        }
    }

    public struct Denied: Error, Sendable, CustomStringConvertible {
        public let action: Action
        public let reason: String
        public var description: String { "\(action.rawValue) refused: \(reason)" }
    }

    /// Throws `Denied` naming the rule unless `caller` may perform `action` (on `job`, for
    /// `brand` where the action concerns one brand).
    public static func authorize(_ caller: Caller, _ action: Action, job: JobFacts? = nil, brand: String? = nil) throws {
        func deny(_ reason: String) -> Denied { Denied(action: action, reason: reason) }
        if action == .health { return }
        guard case .principal(let p) = caller else {
            throw deny("\(caller.id) is a participant node; nodes speak the federation protocol, and the job API serves principals only")
        }
        let who = "\(p.id) (\(p.role) of \(p.organisation))"
        switch action {
        case .health:
            return
        case .proposeJob:
            guard p.role == "analyst" else { throw deny("only analysts propose jobs; \(who) is not one") }
        case .listJobs:
            return  // every principal; a steward's listing is filtered to its brand's jobs (`visible`)
        case .readJob:
            guard let job else { throw deny("no such job") }
            guard visible(job, to: p) else { throw deny("\(who) is a steward of a brand that is not in this job") }
        case .decideJob:
            guard let job, let brand else { throw deny("a decision names its job and brand") }
            guard p.role == "steward" else { throw deny("only a brand's steward approves or rejects its jobs; \(who) is not a steward") }
            guard p.organisation == brand else { throw deny("\(who) is the steward of \(p.organisation), not of \(brand)") }
            guard job.participants.contains(brand) else { throw deny("\(brand) is not a participant of this job") }
        case .cancelJob:
            guard let job else { throw deny("no such job") }
            if p.role == "operator" { return }
            guard p.role == "analyst", job.proposer == p.id else {
                throw deny("a job is cancelled by the platform's operator or by the analyst who proposed it; \(who) is neither")
            }
        case .readResult:
            guard let job else { throw deny("no such job") }
            guard job.readers.contains(p.id) else {
                throw deny("\(who) is not a result reader of this job (readers: \(job.readers.isEmpty ? "none" : job.readers.joined(separator: ", ")))")
            }
        case .readLedger:
            guard let brand else { throw deny("a ledger is a brand's") }
            if p.role == "operator" || p.role == "auditor" { return }
            guard p.role == "steward", p.organisation == brand else {
                throw deny("\(brand)'s ledger is read by its steward, the operator and auditors; \(who) is none of them")
            }
        case .viewDashboard:
            guard ["operator", "analyst", "auditor"].contains(p.role) else {
                throw deny("the dashboard is for the operator, analysts and auditors; \(who) is none of them")
            }
        case .exportTranscript, .readMetrics:
            guard p.role == "operator" || p.role == "auditor" else {
                throw deny("only the operator and auditors may \(action == .exportTranscript ? "export the transcript" : "read metrics"); \(who) may not")
            }
        }
    }

    /// Whether a principal sees a job in listings: stewards see their brand's jobs only.
    public static func visible(_ job: JobFacts, to p: FederationInfo.Principal) -> Bool {
        p.role != "steward" || job.participants.contains(p.organisation)
    }
}
