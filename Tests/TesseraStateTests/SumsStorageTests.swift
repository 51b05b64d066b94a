import Foundation
import Testing
import TesseraState

/// Released sums are stored as a JSON array written by hand (SumsJSON); they must read back
/// exactly, extremes included, and be the bytes JSONEncoder would write.
@Suite struct SumsStorageTests {
    static let sums: [Int64] = [0, 1, -1, 42, -1_048_576, Int64.max, Int64.min, 9_007_199_254_740_993]

    @Test func participantStoreRoundTripsExtremes() throws {
        let store = try ParticipantStore(path: NSTemporaryDirectory() + "tessera-sums-\(UUID().uuidString).sqlite")
        try store.recordResult(job: "j", round: 1, sums: Self.sums)
        #expect(try store.result(job: "j", round: 1) == Self.sums)
        try store.recordResult(job: "j", round: 2, sums: [])
        #expect(try store.result(job: "j", round: 2) == [])
    }

    @Test func coordinatorStoreRoundTripsExtremes() throws {
        let store = try CoordinatorStore(path: NSTemporaryDirectory() + "tessera-sums-\(UUID().uuidString).sqlite")
        try store.insertJob(id: "j", spec: Data([1]), specEnvelope: Data([2]))
        try store.recordResult(job: "j", round: 1, sums: Self.sums, contributors: ["a", "b"], transcript: [])
        let stored = try store.result(job: "j", round: 1)
        #expect(stored?.sums == Self.sums)
        #expect(stored?.contributors == ["a", "b"])
    }
}
