import Testing
import TesseraProtocol
import TesseraService

/// Every cell of protocol/access.md's matrix, allowed and refused, against `AccessMatrix`
/// (the same cells are exercised over real mutual TLS in `JobAPITests`).
@Suite struct AccessMatrixTests {
    typealias Action = AccessMatrix.Action
    static func principal(_ id: String, _ role: String, _ org: String) -> AccessMatrix.Caller {
        .principal(FederationInfo.Principal(id: id, role: role, organisation: org, certificateFingerprint: id))
    }
    static let op = principal("operator", "operator", "platform")
    static let analyst = principal("analyst", "analyst", "platform")
    static let otherAnalyst = principal("analyst-b", "analyst", "brand-b")
    static let stewardA = principal("steward-brand-a", "steward", "brand-a")
    static let stewardD = principal("steward-brand-d", "steward", "brand-d")
    static let auditor = principal("auditor", "auditor", "audit-firm")
    static let node = AccessMatrix.Caller.node("brand-a")
    static let job = AccessMatrix.JobFacts(participants: ["brand-a", "brand-b", "brand-c"], readers: ["analyst", "steward-brand-a"], proposer: "analyst")

    func allowed(_ caller: AccessMatrix.Caller, _ action: Action, job: AccessMatrix.JobFacts? = Self.job, brand: String? = nil) -> Bool {
        (try? AccessMatrix.authorize(caller, action, job: job, brand: brand)) != nil
    }

    /// The table of protocol/access.md, row by row: who is allowed (everyone else is refused).
    @Test func everyCellOfTheMatrix() {
        let everyone: [(String, AccessMatrix.Caller)] = [("operator", Self.op), ("analyst", Self.analyst), ("analyst-b", Self.otherAnalyst),
                                                         ("steward-a", Self.stewardA), ("steward-d", Self.stewardD), ("auditor", Self.auditor), ("node", Self.node)]
        let expected: [(Action, String?, Set<String>)] = [
            (.health, nil, ["operator", "analyst", "analyst-b", "steward-a", "steward-d", "auditor", "node"]),
            (.proposeJob, nil, ["analyst", "analyst-b"]),
            (.listJobs, nil, ["operator", "analyst", "analyst-b", "steward-a", "steward-d", "auditor"]),
            (.readJob, nil, ["operator", "analyst", "analyst-b", "steward-a", "auditor"]),
            (.decideJob, "brand-a", ["steward-a"]),
            (.decideJob, "brand-d", []),  // brand-d is not in the job
            (.cancelJob, nil, ["operator", "analyst"]),  // the proposer, not another analyst
            (.readResult, nil, ["analyst", "steward-a"]),  // the job's readers, whatever their role
            (.readLedger, "brand-a", ["operator", "steward-a", "auditor"]),
            (.readLedger, "brand-b", ["operator", "auditor"]),
            (.exportTranscript, nil, ["operator", "auditor"]),
            (.readMetrics, nil, ["operator", "auditor"]),
            (.viewDashboard, nil, ["operator", "analyst", "analyst-b", "auditor"]),
        ]
        #expect(Set(expected.map(\.0)) == Set(Action.allCases))
        for (action, brand, allowedSet) in expected {
            for (name, caller) in everyone {
                #expect(allowed(caller, action, brand: brand) == allowedSet.contains(name), "\(action.rawValue) by \(name) for \(brand ?? "-")")
            }
        }
    }

    @Test func refusalsNameTheRule() throws {
        let e1 = #expect(throws: AccessMatrix.Denied.self) { try AccessMatrix.authorize(Self.op, .readResult, job: Self.job) }
        #expect(e1?.description.contains("not a result reader of this job") == true)
        let e2 = #expect(throws: AccessMatrix.Denied.self) { try AccessMatrix.authorize(Self.stewardA, .decideJob, job: Self.job, brand: "brand-b") }
        #expect(e2?.description.contains("steward of brand-a, not of brand-b") == true)
        let e3 = #expect(throws: AccessMatrix.Denied.self) { try AccessMatrix.authorize(Self.node, .listJobs) }
        #expect(e3?.description.contains("participant node") == true)
    }

    @Test func stewardsSeeOnlyTheirBrandsJobs() {
        guard case .principal(let a) = Self.stewardA, case .principal(let d) = Self.stewardD, case .principal(let op) = Self.op else { return }
        #expect(AccessMatrix.visible(Self.job, to: a))
        #expect(!AccessMatrix.visible(Self.job, to: d))
        #expect(AccessMatrix.visible(Self.job, to: op))
    }
}
