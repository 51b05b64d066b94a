import Testing
import TesseraGroup
import TesseraRandom

@Suite struct DiscreteLogTests {
    /// Every honest sum of P = 2 contributions in [0, 8] per digit: B = 17, k = 3, μ = 8, with the
    /// table limited to 17² entries so that one digit is searched by giant steps.
    @Test func everyHonestSumOfASmallLayout() async throws {
        let plan = try DiscreteLogPlan.plan(base: 17, digits: 3, expectedDigit: 8, maxTableEntries: 300)
        #expect(plan.babyDigits == 2 && plan.giantSteps == 17 && plan.range == 4913)
        let table = try await DiscreteLogTable(plan: plan, parallelism: twoThreads)
        var p = GroupElement.identity
        for m in UInt64(0)..<4913 {
            #expect(table.solve(p) == m)
            p = p + .generator
        }
        #expect(table.solve(p) == nil)  // 17³
        #expect(table.solve(-GroupElement.generator) == nil)
        #expect(table.solve(GroupElement.hashToGroup(domain: "test", message: [])) == nil)
    }

    @Test func digitBoundsOfTheV1Layout() async throws {
        let table = try await sharedTable.value
        #expect(table.plan.babyDigits == 2 && table.plan.giantSteps == 81)
        func value(_ d: [UInt64]) -> UInt64 { d[0] + 81 * d[1] + 6561 * d[2] }
        var values: [UInt64] = [0, 531_440, 1, 80, 81, 6560, 6561, 524_880]
        for position in 0..<3 {
            for digit in UInt64(0)..<81 {
                var d: [UInt64] = [40, 40, 40]
                d[position] = digit
                values.append(value(d))
            }
        }
        let points = values.map { GroupElement.base(Scalar($0)) }
        let solved = try await table.solve(points, parallelism: twoThreads)
        #expect(solved == values.map { Optional($0) })
        #expect(table.solve(.base(Scalar(531_441))) == nil)
        #expect(table.solve(.base(Scalar(ElGamalEncryptor.messageLimit - 1))) == nil)
        #expect(table.solve(.base(-Scalar(1))) == nil)
    }

    @Test func plannerChoosesTheTableAndRefusesLargeSearches() throws {
        let p = try DiscreteLogPlan.plan(base: 81, digits: 3, expectedDigit: 40)
        #expect((p.babyDigits, p.tableEntries, p.giantSteps) == (2, 6561, 81))
        #expect(try DiscreteLogPlan.plan(base: 81, digits: 2, expectedDigit: 40).giantSteps == 1)
        #expect(try DiscreteLogPlan.plan(base: 181, digits: 3, expectedDigit: 90).babyDigits == 2)  // 181² = 32,761
        #expect(try DiscreteLogPlan.plan(base: 182, digits: 2, expectedDigit: 90).babyDigits == 1)  // 182² = 33,124
        #expect(try DiscreteLogPlan.plan(base: 32, digits: 4, expectedDigit: 16).babyDigits == 3)
        #expect(DiscreteLogPlan.maxDigits(base: 81) == 3)
        #expect(DiscreteLogPlan.maxDigits(base: 32_768) == 2)
        #expect(throws: GroupError.self) { try DiscreteLogPlan.plan(base: 81, digits: 5, expectedDigit: 40) }  // 81³ giant steps
        #expect(throws: GroupError.self) { try DiscreteLogPlan.plan(base: 81, digits: 9, expectedDigit: 40) }  // 81⁹ > 2^52
        #expect(throws: GroupError.self) { try DiscreteLogPlan.plan(base: 81, digits: 3, expectedDigit: 81) }
        #expect(throws: GroupError.self) { try DiscreteLogPlan.plan(base: 1, digits: 3, expectedDigit: 0) }
    }
}
