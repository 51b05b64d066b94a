import Foundation
import TesseraCoordinator
import TesseraParticipant
import TesseraProtocol

/// A scenario file (simulations/*.json, documented in simulations/README.md): a federation,
/// its synthetic data, the jobs it runs in order, each brand's local policy, and the faults to
/// inject. With a seed it determines a run completely.
public struct Scenario: Codable, Sendable {
    public struct DataSpec: Codable, Sendable {
        public var customersPerBrand: Int
        /// For `vector-sum` load tests: each brand's vector is this many values drawn from the
        /// seed (uniform in [0, 1000)) instead of its (category × region) order profile.
        public var vectorValues: Int?
    }

    public var name: String
    public var description: String?
    public var keys: String
    public var brands: [String]
    public var data: DataSpec
    /// Jobs run one after the other against the same coordinator and participant state, so
    /// ledgers carry over between them.
    public var jobs: [JobDefinition]
    /// Every brand's local policy, unless `policies` names one for it.
    public var policy: LocalPolicy?
    public var policies: [String: LocalPolicy]?
    public var faults: [Fault]
    /// Seconds the coordinator waits for an absent participant (a dropped node) before it
    /// proceeds without it. Generous for honest nodes: if one were slower than this, the
    /// transcript would depend on timing.
    public var roundTimeout: Double
    /// Segment-profile utility is judged on cells with at least this many true customers
    /// (default 100): below it a released cell is dominated by the noise at small ε, and its
    /// error bar says so.
    public var largeCellCustomers: Double

    enum CodingKeys: String, CodingKey { case name, description, keys, brands, data, job, jobs, policy, policies, faults, roundTimeout, largeCellCustomers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        keys = try c.decode(String.self, forKey: .keys)
        brands = try c.decode([String].self, forKey: .brands)
        data = try c.decode(DataSpec.self, forKey: .data)
        if let jobs = try c.decodeIfPresent([JobDefinition].self, forKey: .jobs) {
            self.jobs = jobs
        } else {
            jobs = [try c.decode(JobDefinition.self, forKey: .job)]
        }
        policy = try c.decodeIfPresent(LocalPolicy.self, forKey: .policy)
        policies = try c.decodeIfPresent([String: LocalPolicy].self, forKey: .policies)
        faults = try c.decodeIfPresent([Fault].self, forKey: .faults) ?? []
        roundTimeout = try c.decodeIfPresent(Double.self, forKey: .roundTimeout) ?? 300
        largeCellCustomers = try c.decodeIfPresent(Double.self, forKey: .largeCellCustomers) ?? 100
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(keys, forKey: .keys)
        try c.encode(brands, forKey: .brands)
        try c.encode(data, forKey: .data)
        try c.encode(jobs, forKey: .jobs)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(policies, forKey: .policies)
        try c.encode(faults, forKey: .faults)
        try c.encode(roundTimeout, forKey: .roundTimeout)
        try c.encode(largeCellCustomers, forKey: .largeCellCustomers)
    }

    public static func load(path: String) throws -> Scenario {
        let s: Scenario
        do { s = try ReadableErrors.decodeJSONFile(Scenario.self, path: path, what: "scenario") } catch {
            throw ScenarioError("\(error)")
        }
        try s.validate(path: path)
        return s
    }

    func validate(path: String) throws {
        guard !brands.isEmpty, Set(brands).count == brands.count else { throw ScenarioError("scenario \(path): brands must be distinct and non-empty") }
        guard !jobs.isEmpty else { throw ScenarioError("scenario \(path): no jobs") }
        guard Set(jobs.map(\.id)).count == jobs.count else { throw ScenarioError("scenario \(path): job ids must be distinct") }
        for f in faults {
            guard brands.contains(f.participant) else { throw ScenarioError("scenario \(path): fault \(f) names an unknown brand") }
            if let job = f.job, !jobs.contains(where: { $0.id == job }) { throw ScenarioError("scenario \(path): fault \(f) names an unknown job") }
        }
        for id in (policies ?? [:]).keys where !brands.contains(id) { throw ScenarioError("scenario \(path): policy for unknown brand \(id)") }
        guard roundTimeout > 0 else { throw ScenarioError("scenario \(path): roundTimeout must be positive") }
        guard largeCellCustomers >= 1 else { throw ScenarioError("scenario \(path): largeCellCustomers must be at least 1") }
    }

    public func policy(for brand: String) -> LocalPolicy { policies?[brand] ?? policy ?? LocalPolicy() }
}

public struct ScenarioError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
