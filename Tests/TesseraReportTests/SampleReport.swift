import Foundation
@testable import TesseraReport

/// A realistic run: 3 brands, a 1-round segment profile then 4 k-means rounds,
/// one brand refusing round 5 for lack of budget, one dropout, an 80-row table.
/// Figures are fixed (no randomness): values a 2048-bit Paillier run on a laptop shows.
enum SampleReport {
    static let participants = ["Northwind Apparel", "Harbor & Pine Home", "Lumen Beauty"]

    static func make() -> RunReport {
        let metadata = RunMetadata(
            scenario: "Three-brand segment profile and k-means",
            description: "Three partner brands compute a joint lifecycle × value-tier × region profile and a 4-round federated k-means segmentation under threshold Paillier encryption and distributed discrete Gaussian noise.",
            seed: 20240611,
            transcriptRoot: "9f3c2a7be4d1058c6a2f0e9b7d3c41a85e6f2b9c0d7a4e1f3b8c5d2a6e9f0b1c",
            audit: AuditVerdict(status: .passed, detail: "hash chain, 61 signatures, 5 aggregates, 15 decryption proofs and the privacy spend all recomputed"),
            backend: "paillier", keyBits: 2048, threshold: 2, participants: 3,
            wallSeconds: 87.412305, date: "2025-06-11 14:02 UTC")
        let jobs = [
            JobSummary(id: "profile-q2", kind: "segment-profile", rounds: 1, epsilon: 1.0, delta: 1e-6),
            JobSummary(id: "kmeans-rfm", kind: "kmeans", rounds: 4, epsilon: 1.2, delta: 4e-6),
        ]
        var phases = [PhaseTiming(phase: "Threshold key generation", seconds: 14.218)]
        let perRound: [(String, [Double])] = [
            ("Local update and clipping", [0.412, 0.188, 0.191, 0.187, 0.190]),
            ("Noise sampling", [0.934, 0.402, 0.398, 0.405, 0.401]),
            ("Encryption (fixed-base DJN)", [6.871, 2.903, 2.911, 2.897, 2.052]),
            ("Aggregation", [0.612, 0.251, 0.249, 0.253, 0.171]),
            ("Threshold decryption and proofs", [3.406, 1.712, 2.980, 1.709, 1.703]),
            ("Decode and ledger update", [0.081, 0.034, 0.035, 0.033, 0.032]),
        ]
        for (phase, secs) in perRound {
            for (i, s) in secs.enumerated() { phases.append(PhaseTiming(phase: phase, seconds: s, round: i + 1)) }
        }
        let traffic = [
            ParticipantTraffic(participant: participants[0], bytesSent: 3_482_113, bytesReceived: 1_209_554),
            ParticipantTraffic(participant: participants[1], bytesSent: 2_917_806, bytesReceived: 1_188_240),
            ParticipantTraffic(participant: participants[2], bytesSent: 2_761_035, bytesReceived: 1_021_877),
        ]
        // Cumulative spend under RDP composition grows more slowly than the sum.
        let spent = [1.0, 1.38, 1.66, 1.89, 2.1]
        let delta = [1e-6, 2e-6, 3e-6, 4e-6, 5e-6]
        func entries(_ rounds: Int) -> [LedgerEntry] {
            (0..<rounds).map { LedgerEntry(round: $0 + 1, job: $0 == 0 ? "profile-q2" : "kmeans-rfm",
                                           epsilonSpent: spent[$0], deltaSpent: delta[$0]) }
        }
        let ledger = [
            ParticipantLedger(participant: participants[0], budgetEpsilon: 3, budgetDelta: 1e-5, entries: entries(5)),
            ParticipantLedger(participant: participants[1], budgetEpsilon: 2.5, budgetDelta: 1e-5, entries: entries(5)),
            ParticipantLedger(participant: participants[2], budgetEpsilon: 2, budgetDelta: 1e-5, entries: entries(4),
                              refusals: [Refusal(round: 5, job: "kmeans-rfm",
                                                 reason: "budget: round would raise ε from 1.89 to 2.1, above the local budget 2")]),
        ]
        let utility = [
            UtilityFigure(metric: "k-means cost (normalized)", federated: 1.063, centralized: 1, gap: 0.063, target: 0.1, met: true),
            UtilityFigure(metric: "Cell count median rel. error", federated: 0.041, centralized: 0, gap: 0.041, target: 0.05, met: true),
            UtilityFigure(metric: "Spend share TV distance", federated: 0.027, centralized: 0, gap: 0.027, target: 0.02, met: false),
            UtilityFigure(metric: "Adjusted Rand index", federated: 0.912, centralized: 1, gap: 0.088),
        ]
        let series = [
            RoundSeries(title: "k-means cost per round", quantity: "Cost (within-cluster SS)", lines: [
                RoundSeries.Line(label: "federated", points: [2, 3, 4, 5].map { RoundSeries.Point(round: $0, value: [18_420, 14_133, 12_907, 12_615][$0 - 2]) }),
                RoundSeries.Line(label: "centralized", points: [2, 3, 4, 5].map { RoundSeries.Point(round: $0, value: [17_950, 13_480, 12_240, 11_870][$0 - 2]) }),
            ]),
        ]
        let faults = [
            FaultRecord(kind: "dropout", participant: participants[1], round: 3,
                        effect: "Connection closed after submitting its update, before sending its decryption share.",
                        handling: "Quorum kept (2 of 3 shares, threshold 2); the round completed 1.27 s late; the share arrived on reconnect and was ignored as a late duplicate."),
        ]
        return RunReport(metadata: metadata, jobs: jobs, phases: phases, traffic: traffic, ledger: ledger,
                         utility: utility, tables: [profileTable()], series: series, faults: faults,
                         notes: ["Round 5 ran with 2 of 3 participants after Lumen Beauty refused; its noise share was re-sized so the sum still meets the target σ.",
                                 "Centralized figures come from the same code run on the pooled plaintext data, which only a simulation can see."])
    }

    /// lifecycle × value tier × region = 80 rows, with cells under 100 customers suppressed.
    static func profileTable() -> ResultTable {
        let lifecycle = ["explore", "grow", "mature", "decline"]
        let tiers = ["top 10%", "10–40%", "40–70%", "bottom 30%"]
        let regions = ["North", "South", "East", "West", "Central"]
        var rows: [[TableCell]] = []
        var k = 0
        for l in lifecycle.indices {
            for t in tiers.indices {
                for r in regions.indices {
                    k += 1
                    // A fixed, uneven spread of sizes (not random): a multiplicative hash of the index.
                    let h = Double((k * 2_654_435_761) % 1000) / 1000
                    let customers = (40 + 1_900 * h * Double(4 - t) / 4).rounded()
                    let orders = (customers * (1.3 + Double(3 - l) * 0.45)).rounded()
                    let spend = (orders * (38 + Double(3 - t) * 41)).rounded()
                    let suppressed = customers < 100
                    rows.append([.text(lifecycle[l]), .text(tiers[t]), .text(regions[r]),
                                 .number(customers, error: 11.8, suppressed: suppressed),
                                 .number(orders, error: 16.7, suppressed: suppressed),
                                 .number(spend, error: 905, suppressed: suppressed)])
                }
            }
        }
        return ResultTable(title: "Joint segment profile (noised)",
                           columns: ["Lifecycle", "Value tier", "Region", "Customers", "Orders", "Spend (€)"], rows: rows)
    }
}
