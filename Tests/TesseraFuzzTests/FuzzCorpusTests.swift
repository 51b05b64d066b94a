import Foundation
import Testing
import TesseraFuzzTargets

/// The deterministic part of the fuzzing (the coverage-guided part is `scripts/fuzz`): every
/// target over its committed corpus, then seeded mutations of it (bit flips, truncations,
/// insertions, splices), so that a decoder that traps on an input the fuzzer once found, or
/// on a near neighbour of a valid input, fails the build.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func corpus(_ target: String) throws -> [Data] {
        let dir = root + "/Fuzz/corpus/" + target
        return try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) }
    }

    /// SplitMix64: the mutations are the same on every run.
    struct Mutator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

        mutating func mutate(_ input: Data, other: Data) -> Data {
            var b = [UInt8](input)
            switch below(5) {
            case 0 where !b.isEmpty: for _ in 0...below(4) { b[below(b.count)] ^= UInt8(1 << below(8)) }
            case 1 where !b.isEmpty: b.removeLast(below(b.count) + 1)
            case 2: b.insert(contentsOf: (0...below(16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: below(b.count + 1))
            case 3: b = Array(b.prefix(below(b.count + 1))) + Array([UInt8](other).suffix(below(other.count + 1)))
            default: if !b.isEmpty { b[below(b.count)] = [0x00, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x7b][below(7)] }
            }
            return Data(b)
        }
    }

    /// `scripts/fuzz` offers the targets that have a corpus directory: every target has one, and
    /// every directory is a target.
    @Test func everyTargetHasACorpusDirectoryAndNoDirectoryIsLeftOver() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/Fuzz/corpus").filter { !$0.hasPrefix(".") }
        #expect(directories.sorted() == FuzzTargets.all.map(\.name).sorted())
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func theCorpusAndItsMutationsDecodeOrFailCleanly(_ name: String) throws {
        FuzzTargets.use(keys: Self.root + "/keys/test")
        let target = try #require(FuzzTargets.named(name))
        let inputs = try Self.corpus(name)
        #expect(!inputs.isEmpty, "no corpus for \(name) in Fuzz/corpus/\(name)")
        for input in inputs { target.run(input) }
        var mutator = Mutator(state: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let count = ProcessInfo.processInfo.environment["TESSERA_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 2_000
        for i in 0..<count {
            target.run(mutator.mutate(inputs[i % inputs.count], other: inputs[mutator.below(inputs.count)]))
        }
    }
}
