import ArgumentParser

@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Tessera: federated, differentially private customer profiles over threshold Paillier.",
        subcommands: [Simulate.self, Replay.self, KillTestCommand.self, Audit.self, Demo.self, Keys.self, Privacy.self, DataCommand.self, TranscriptCommand.self, JobCommand.self, Bench.self, Vectors.self])
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, reported as ratios against references measured in the same run.",
        subcommands: [BenchPaillier.self, BenchRound.self, BenchLoad.self, BenchSoak.self, BenchFeatures.self, BenchAPI.self, BenchSwarm.self])
}

struct Vectors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Known-answer test vectors for other implementations (protocol/vectors).",
        subcommands: [GenerateVectors.self])
}
