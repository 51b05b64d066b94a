import Foundation
import TesseraProtocol
import TesseraState

/// A brand's privacy budget as its own state file holds it: the rounds spent (basic composition
/// across jobs), what every accepted job that has not ended may still spend (reserved: jobs run
/// concurrently, so accepting one promises its rounds), and what is left. The admission check of
/// a new job and the operator's `tessera-participant ledger` read the same figures.
public struct BudgetStatement: Sendable {
    public typealias Amount = (epsilon: Double, delta: Double)

    public struct Spend: Sendable {
        public let job: String
        public let round: Int
        public let epsilon: Double
        public let delta: Double
    }

    public struct Reservation: Sendable {
        public let job: String
        /// The job's composed total and what its recorded rounds have spent of it.
        public let total: Amount
        public let spent: Amount
        public var left: Amount { (max(0, total.epsilon - spent.epsilon), max(0, total.delta - spent.delta)) }
        var holdsSomething: Bool { left.epsilon > 0 || left.delta > 0 }

        /// What accepted job `job` (its stored spec) may still spend, by `store`'s ledger.
        init(job: String, spec: Data, store: ParticipantStore) throws {
            self.job = job
            total = try JobPrivacy.total(try Tessera_V1_JobSpec(serializedBytes: spec))
            spent = try store.spent(job: job)
        }
    }

    public let budget: Amount
    public let spends: [Spend]
    /// Accepted jobs that have not ended and may still spend something, in job id order.
    public let reservations: [Reservation]

    /// The statement of `store` against `budget`; `excluding` leaves one job's reservation out
    /// (the job being decided, whose own need is counted apart).
    public init(store: ParticipantStore, budget: Amount, excluding: String? = nil) throws {
        self.budget = budget
        spends = try store.ledger().map { Spend(job: $0.job, round: $0.round, epsilon: $0.epsilon, delta: $0.delta) }
        var reservations: [Reservation] = []
        for (job, spec) in try store.openAcceptedJobs() where job != excluding {
            let reservation = try Reservation(job: job, spec: spec, store: store)
            if reservation.holdsSomething { reservations.append(reservation) }
        }
        self.reservations = reservations
    }

    public var spent: Amount { spends.reduce((0, 0)) { ($0.epsilon + $1.epsilon, $0.delta + $1.delta) } }
    public var reserved: Amount { reservations.reduce((0, 0)) { ($0.epsilon + $1.left.epsilon, $0.delta + $1.left.delta) } }
    /// The budget less what is spent and reserved (negative if a policy was lowered below them).
    public var remaining: Amount { (budget.epsilon - spent.epsilon - reserved.epsilon, budget.delta - spent.delta - reserved.delta) }

    /// True if a job needing `need` more fits beside what is spent and reserved (a relative slack
    /// of 10^-12 for the floating-point sums).
    public func admits(_ need: Amount) -> Bool {
        spent.epsilon + reserved.epsilon + need.epsilon <= budget.epsilon * (1 + 1e-12)
            && spent.delta + reserved.delta + need.delta <= budget.delta * (1 + 1e-12)
    }

    /// The refusal of a job needing `need` that does not fit, naming every figure.
    public func refusal(need: Amount) -> String {
        let held = reservations.isEmpty ? ""
            : "; ε = \(reserved.epsilon), δ = \(reserved.delta) reserved by accepted jobs still running (\(reservations.map(\.job).joined(separator: ", ")))"
        return "privacy budget: the job needs ε = \(need.epsilon), δ = \(need.delta); spent ε = \(spent.epsilon), δ = \(spent.delta)\(held); budget ε = \(budget.epsilon), δ = \(budget.delta)"
    }

    /// For the operator: one line per spend and per reservation, then the totals.
    public var text: String {
        var lines = spends.map { "spent     \($0.job) round \($0.round): ε = \($0.epsilon), δ = \($0.delta)" }
        lines += reservations.map { "reserved  \($0.job): ε = \($0.left.epsilon), δ = \($0.left.delta) (job total ε = \($0.total.epsilon); spent ε = \($0.spent.epsilon))" }
        lines.append("total: spent ε = \(spent.epsilon), δ = \(spent.delta); reserved ε = \(reserved.epsilon), δ = \(reserved.delta); "
                     + "budget ε = \(budget.epsilon), δ = \(budget.delta); remaining ε = \(remaining.epsilon), δ = \(remaining.delta)")
        return lines.joined(separator: "\n")
    }

    public var json: [String: Any] {
        func amount(_ a: Amount) -> [String: Double] { ["epsilon": a.epsilon, "delta": a.delta] }
        return ["budget": amount(budget), "spent": amount(spent), "reserved": amount(reserved), "remaining": amount(remaining),
                "spends": spends.map { ["job": $0.job, "round": $0.round, "epsilon": $0.epsilon, "delta": $0.delta] as [String: Any] },
                "reservations": reservations.map { ["job": $0.job, "total": amount($0.total), "spent": amount($0.spent), "left": amount($0.left)] as [String: Any] }]
    }
}

/// The brand's operator ends an accepted job on its own side, whatever the coordinator says: its
/// reservation is released (what its recorded rounds spent stays spent) and the node refuses
/// every later request for it (`Participant.acceptedSpec` reads the ended status from the store,
/// so this takes effect on a running node too). For a job whose coordinator vanished mid-job, or
/// that this brand no longer wants to serve.
public enum JobAbandonment {
    public static let status = "abandoned"

    /// Ends `job`; returns the reservation released (nil if its rounds had spent all of it).
    /// Refuses by name a job this state file never decided on, one it refused, and one already ended.
    @discardableResult
    public static func abandon(job: String, store: ParticipantStore) throws -> BudgetStatement.Reservation? {
        guard let decision = try store.decision(job: job) else {
            throw DataError("this state file holds no decision on job \(job.debugDescription); nothing to abandon")
        }
        guard decision.accept else {
            throw DataError("job \(job.debugDescription) was refused by this brand (\(decision.reason)); it reserves nothing")
        }
        if let status = try store.endedStatus(job: job) {
            throw DataError("job \(job.debugDescription) has already ended (\(status)); it reserves nothing")
        }
        let reservation = try BudgetStatement.Reservation(job: job, spec: decision.spec, store: store)
        guard try store.endJob(job, status: status) else {
            throw DataError("job \(job.debugDescription) ended while it was being abandoned (\(try store.endedStatus(job: job) ?? "?"))")
        }
        return reservation.holdsSomething ? reservation : nil
    }
}
