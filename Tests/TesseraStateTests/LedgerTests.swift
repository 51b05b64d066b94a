import Foundation
import Testing
import TesseraState

@Suite struct LedgerTests {
    func store() throws -> (ParticipantStore, String) {
        let path = NSTemporaryDirectory() + "tessera-ledger-\(UUID().uuidString).sqlite"
        return (try ParticipantStore(path: path), path)
    }

    @Test func submissionAndSpendAreStoredTogetherOnce() throws {
        let (s, _) = try store()
        let budget = (epsilon: 1.0, delta: 1e-5)
        let first = try s.storeSubmission(job: "j", round: 1, ciphertexts: Data([1, 2, 3]), epsilon: 0.25, delta: 1e-6, budget: budget)
        #expect(first == Data([1, 2, 3]))
        // Asked again for the same round (a reconnect): the stored update, no second spend.
        let again = try s.storeSubmission(job: "j", round: 1, ciphertexts: Data([9, 9]), epsilon: 0.25, delta: 1e-6, budget: budget)
        #expect(again == Data([1, 2, 3]))
        #expect(try s.spent().epsilon == 0.25)
        #expect(try s.ledger().count == 1)
        #expect(try s.submission(job: "j", round: 1) == Data([1, 2, 3]))
    }

    @Test func aRoundBeyondTheBudgetStoresNothing() throws {
        let (s, _) = try store()
        let budget = (epsilon: 1.0, delta: 1e-5)
        for r in 1...4 { _ = try s.storeSubmission(job: "j", round: r, ciphertexts: Data([UInt8(r)]), epsilon: 0.25, delta: 0, budget: budget) }
        #expect(throws: LedgerError.budgetExceeded(spent: 1.0, requested: 0.25, budget: 1.0)) {
            try s.storeSubmission(job: "j", round: 5, ciphertexts: Data([5]), epsilon: 0.25, delta: 0, budget: budget)
        }
        #expect(try s.submission(job: "j", round: 5) == nil)
        #expect(try s.spent().epsilon == 1.0)
        #expect(String(describing: LedgerError.budgetExceeded(spent: 1, requested: 0.25, budget: 1)).contains("privacy budget exhausted"))
    }

    @Test func theLedgerSurvivesReopening() throws {
        let (s, path) = try store()
        _ = try s.storeSubmission(job: "j", round: 1, ciphertexts: Data([1]), epsilon: 0.5, delta: 1e-6, budget: (1, 1e-5))
        let reopened = try ParticipantStore(path: path)
        #expect(try reopened.spent().epsilon == 0.5)
        #expect(try reopened.spent().delta == 1e-6)
    }

    @Test func sequencesNeverRepeatAcrossReopening() throws {
        let (s, path) = try store()
        let a = try s.nextOwnSequence(), b = try s.nextOwnSequence()
        let c = try ParticipantStore(path: path).nextOwnSequence()
        #expect(a < b && b < c)
    }
}

@Suite struct CoordinatorStoreTests {
    /// Participants presumed gone are remembered across a restart, per job.
    @Test func unresponsiveHoldersSurviveReopening() throws {
        let path = NSTemporaryDirectory() + "tessera-coordinator-\(UUID().uuidString).sqlite"
        let s = try CoordinatorStore(path: path)
        #expect(try s.unresponsive(job: "j").isEmpty)
        try s.markUnresponsive(job: "j", participants: ["brand-b"])
        try s.markUnresponsive(job: "j", participants: ["brand-b", "brand-c"])
        try s.markUnresponsive(job: "other", participants: ["brand-a"])
        let reopened = try CoordinatorStore(path: path)
        #expect(try reopened.unresponsive(job: "j") == ["brand-b", "brand-c"])
        #expect(try reopened.unresponsive(job: "other") == ["brand-a"])
    }
}
