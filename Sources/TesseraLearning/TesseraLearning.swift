/// Federated learning on partner data: k-means (Lloyd) steps and DP-FedAvg logistic regression
/// (McMahan et al. 2018), as local computations whose outputs are integer vectors to be summed.
///
/// Every local update is the sum over customers of a per-customer integer vector whose L2 norm
/// is bounded by a public constant (`perCustomerL2Squared`), so that the noise added to the
/// sum protects one customer (add/remove neighbouring relation). Decoders are post-processing
/// of the noisy sums and never fail on any integer input.
public enum TesseraLearning {}

/// A job's learning parameters are inconsistent or would overflow 64-bit sums.
public struct LearningError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Adds `a` and `b`, or nil on Int64 overflow; used to validate bounds at job set-up.
func checkedAdd(_ a: Int64, _ b: Int64) -> Int64? {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? nil : r
}

/// Multiplies `a` and `b`, or nil on Int64 overflow.
func checkedMultiply(_ a: Int64, _ b: Int64) -> Int64? {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? nil : r
}

/// Largest per-customer squared norm a job may declare: leaves headroom so that sums over
/// millions of customers plus noise are a slot planner's problem, not an Int64 overflow here.
let maximumSquaredBound: Int64 = 1 << 62
