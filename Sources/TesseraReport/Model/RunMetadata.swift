import Foundation

/// What was run, with which keys, and whether the audit accepted the transcript.
public struct RunMetadata: Codable, Sendable, Equatable {
    public var scenario: String
    public var description: String
    public var seed: UInt64
    /// Root of the hash-chained transcript, hex; `tessera replay` must reproduce it.
    public var transcriptRoot: String
    public var audit: AuditVerdict
    /// Aggregation backend, e.g. "paillier" or "secagg".
    public var backend: String
    public var keyBits: Int
    /// Decryption threshold t of n key-share holders.
    public var threshold: Int
    public var participants: Int
    public var wallSeconds: Double
    /// Supplied by the caller so that a replayed run yields the same bytes.
    public var date: String

    public init(scenario: String, description: String, seed: UInt64, transcriptRoot: String,
                audit: AuditVerdict, backend: String, keyBits: Int, threshold: Int,
                participants: Int, wallSeconds: Double, date: String) {
        self.scenario = scenario
        self.description = description
        self.seed = seed
        self.transcriptRoot = transcriptRoot
        self.audit = audit
        self.backend = backend
        self.keyBits = keyBits
        self.threshold = threshold
        self.participants = participants
        self.wallSeconds = wallSeconds
        self.date = date
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(description, forKey: .description)
        try c.encode(seed, forKey: .seed)
        try c.encode(transcriptRoot, forKey: .transcriptRoot)
        try c.encode(audit, forKey: .audit)
        try c.encode(backend, forKey: .backend)
        try c.encode(keyBits, forKey: .keyBits)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(participants, forKey: .participants)
        try c.encodeRounded(wallSeconds, forKey: .wallSeconds, .seconds)
        try c.encode(date, forKey: .date)
    }
}

/// The outcome of `tessera audit` over the run's transcript.
public struct AuditVerdict: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case passed, failed, notAudited
    }
    public var status: Status
    /// One line: what was checked, or the first check that failed.
    public var detail: String

    public init(status: Status, detail: String) {
        self.status = status
        self.detail = detail
    }
}
