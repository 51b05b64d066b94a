import Foundation
import Testing
import TesseraData

@Suite struct DataTests {
    func tmp() throws -> String {
        let p = NSTemporaryDirectory() + "tessera-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    @Test func iso8601KnownAnswersAndRoundTrip() {
        #expect(ISO8601.format(0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601.format(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(ISO8601.parse("2026-01-01T00:00:00Z") == 1_767_225_600)
        #expect(ISO8601.parse("2023-02-29T00:00:00Z") == nil)
        #expect(ISO8601.parse("2023-13-01T00:00:00Z") == nil)
        #expect(ISO8601.parse("2023-01-01 00:00:00Z") == nil)
        for t: Int64 in [1, 86_399, 1_700_000_000, 4_102_444_799] { #expect(ISO8601.parse(Substring(ISO8601.format(t))) == t) }
    }

    @Test func synthesisIsDeterministicAndValid() throws {
        let a = try tmp(), b = try tmp(), c = try tmp()
        let gen = SyntheticBrands(brands: 3, customersPerBrand: 300, seed: 7)
        let files = try gen.write(to: a)
        try gen.write(to: b)
        try SyntheticBrands(brands: 3, customersPerBrand: 300, seed: 8).write(to: c)
        #expect(files.count == 3)
        for (i, f) in files.enumerated() {
            let same = try Data(contentsOf: URL(fileURLWithPath: f.path)) == Data(contentsOf: URL(fileURLWithPath: b + "/\(gen.brandID(i))/orders.csv"))
            #expect(same)
            #expect(try Data(contentsOf: URL(fileURLWithPath: f.path)) != Data(contentsOf: URL(fileURLWithPath: c + "/\(gen.brandID(i))/orders.csv")))
            var customers = Set<String>()
            let summary = try OrderCSVReader(path: f.path).forEach { customers.insert($0.customerID) }
            #expect(summary.rows == f.rows && summary.skipped == 0)
            #expect(customers.count == 300)
            #expect(f.rows > 300)
        }
        // Populations overlap across brands, but not completely.
        var sets: [Set<String>] = []
        for f in files { var s = Set<String>(); try OrderCSVReader(path: f.path).forEach { s.insert($0.customerID) }; sets.append(s) }
        let shared = sets[0].intersection(sets[1]).count
        #expect(shared > 10 && shared < 300)
    }

    @Test func invalidRowsNameFileLineAndField() throws {
        let dir = try tmp()
        let path = dir + "/orders.csv"
        let rows = [OrderRecord.header,
                    "c1,o1,2025-03-01T10:00:00Z,12.50,EUR,beauty,north,web",
                    "c2,o2,2025-03-01T10:00:00Z,12.505,EUR,beauty,north,web",
                    "c3,o3,2025-02-30T10:00:00Z,1.00,EUR,beauty,north,web",
                    "c4,o4,2025-03-01T10:00:00Z,1.00,EUR,cars,north,web",
                    "c5,o5,2025-03-01T10:00:00Z,1.00,EUR,beauty,north",
                    "c6,o6,2025-03-01T10:00:00Z,7,usd,beauty,north,app",
                    "c7,o7,2025-03-01T10:00:00Z,7.1,USD,toys,west,store"]
        try rows.joined(separator: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        var errors: [RowError] = []
        var valid: [OrderRecord] = []
        let summary = try OrderCSVReader(path: path).forEach(onInvalid: { errors.append($0); return true }) { valid.append($0) }
        #expect(summary.rows == 2 && summary.skipped == 5)
        #expect(errors.map(\.line) == [3, 4, 5, 6, 7])
        #expect(errors.map(\.field) == ["amount", "timestamp", "category", "-", "currency"])
        #expect(valid.map(\.amountCents) == [1250, 710])
        #expect(throws: RowError.self) { try OrderCSVReader(path: path).forEach { _ in } }
        #expect(throws: RowError.self) { try OrderCSVReader(path: dir + "/missing.csv").forEach { _ in } }
    }
}

@Suite struct ReleasedProfileTests {
    @Test func smallCellsAreSuppressedAndFlagged() {
        let n = CellProfile.cells.count
        var sums = [Int64](repeating: 500, count: 2 * n)
        sums[0] = 12; sums[n] = 999_999      // cell 0: a noised count under the minimum, with its spend
        sums[1] = -3                          // noise can make a count negative
        let profile = ReleasedProfile(sums: sums, noiseStandardDeviation: 10, minimumCount: 20)
        #expect(profile.cells[0].suppressed && profile.cells[0].spend == nil)
        #expect(profile.cells[1].suppressed)
        #expect(!profile.cells[2].suppressed && profile.cells[2].orders == 500)
        let table = profile.table()
        #expect(!table.contains("999999"))
        #expect(table.contains("suppressed (noised count under 20)"))
        #expect(table.contains("±20"))  // 1.96 σ
    }
}
