import Foundation

/// Everything an auditor or operator is shown after one simulation run.
///
/// A plain value: the simulation fills it in, `jsonData()` writes report.json and
/// `html()` writes report.html. Nothing here computes privacy or utility; it only
/// presents figures that other modules measured.
public struct RunReport: Codable, Sendable, Equatable {
    public var metadata: RunMetadata
    public var jobs: [JobSummary]
    public var phases: [PhaseTiming]
    public var traffic: [ParticipantTraffic]
    public var ledger: [ParticipantLedger]
    public var utility: [UtilityFigure]
    public var tables: [ResultTable]
    public var series: [RoundSeries]
    public var faults: [FaultRecord]
    public var notes: [String]

    public init(
        metadata: RunMetadata,
        jobs: [JobSummary] = [],
        phases: [PhaseTiming] = [],
        traffic: [ParticipantTraffic] = [],
        ledger: [ParticipantLedger] = [],
        utility: [UtilityFigure] = [],
        tables: [ResultTable] = [],
        series: [RoundSeries] = [],
        faults: [FaultRecord] = [],
        notes: [String] = []
    ) {
        self.metadata = metadata
        self.jobs = jobs
        self.phases = phases
        self.traffic = traffic
        self.ledger = ledger
        self.utility = utility
        self.tables = tables
        self.series = series
        self.faults = faults
        self.notes = notes
    }
}
