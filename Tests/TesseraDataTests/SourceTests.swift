import Foundation
import Testing
import TesseraData

@Suite struct OrderSourceTests {
    @Test func sqliteAndCSVGiveIdenticalFeaturesAndVectors() throws {
        let dir = try Orders.tmp()
        let gen = SyntheticBrands(brands: 2, customersPerBrand: 400, seed: 11)
        let csv = dir + "/orders.csv", db = dir + "/orders.sqlite"
        let rows = try gen.write(brand: 1, toFile: csv)
        var records: [OrderRecord] = []
        try OrderCSVReader(path: csv).forEach { records.append($0) }
        #expect(records.count == rows)
        try SQLiteOrderSource.write(path: db, records: records)
        var fromDB: [OrderRecord] = []
        let summary = try SQLiteOrderSource(path: db).forEach { fromDB.append($0) }
        #expect(summary == OrderSourceSummary(rows: rows, skipped: 0))
        #expect(fromDB == records)

        let spec = SegmentProfileSpec(maxOrders: 5, maxSpend: 300)
        let a = try CustomerTable.build(from: OrderCSVReader(path: csv)).table
        let b = try CustomerTable.build(from: SQLiteOrderSource(path: db)).table
        #expect(a.entries == 400 && b.entries == 400)
        let da = try FeatureDerivation(table: a, options: spec.features), db2 = try FeatureDerivation(table: b, options: spec.features)
        for r in records { #expect(da.features(of: r.customerID) == db2.features(of: r.customerID)) }
        #expect(try SegmentProfile.localVector(source: OrderCSVReader(path: csv), spec: spec).values
                == SegmentProfile.localVector(source: SQLiteOrderSource(path: db), spec: spec).values)
    }

    @Test func sqliteAcceptsNumericAmountsAndIntegerIdentifiers() throws {
        let db = try Orders.tmp() + "/n.sqlite"
        let ts = SQLiteCell.text("2025-06-01T12:00:00Z")
        func row(_ id: SQLiteCell, _ amount: SQLiteCell) -> [SQLiteCell] { [id, .text("o1"), ts, amount, .text("EUR"), .text("home"), .text("east"), .text("app")] }
        try SQLiteOrderSource.write(path: db, rows: [row(.integer(42), .integer(12)), row(.text("k"), .real(19.99)), row(.text("k"), .text("0.5"))])
        var got: [OrderRecord] = []
        try SQLiteOrderSource(path: db).forEach { got.append($0) }
        #expect(got.map(\.customerID) == ["42", "k", "k"])
        #expect(got.map(\.amountCents) == [1200, 1999, 50])
    }

    @Test func sqliteInvalidRowsNameTableRowidAndField() throws {
        let db = try Orders.tmp() + "/bad.sqlite"
        let ok: [SQLiteCell] = [.text("c1"), .text("o1"), .text("2025-03-01T10:00:00Z"), .text("12.50"), .text("EUR"), .text("beauty"), .text("north"), .text("web")]
        func with(_ i: Int, _ v: SQLiteCell) -> [SQLiteCell] { var r = ok; r[i] = v; return r }
        try SQLiteOrderSource.write(path: db, rows: [
            ok, with(2, .null), with(3, .real(12.505)), with(3, .text("1e3")), with(5, .text("cars")),
            with(0, .text("")), with(4, .text("usd")), with(2, .integer(1_700_000_000)), with(3, .integer(2_000_000)), ok,
        ])
        var errors: [RowError] = []
        let summary = try SQLiteOrderSource(path: db).forEach(onInvalid: { errors.append($0); return true }) { _ in }
        #expect(summary == OrderSourceSummary(rows: 2, skipped: 8))
        #expect(errors.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(errors.map(\.field) == ["timestamp", "amount", "amount", "category", "customer_id", "currency", "timestamp", "amount"])
        #expect(errors.allSatisfy { $0.table == "orders" })
        #expect(errors[0].description == "\(db): table orders, rowid 2: field timestamp: is NULL")
        // Stop policy: the first invalid row is thrown.
        #expect(throws: errors[0]) { try SQLiteOrderSource(path: db).forEach { _ in } }
        #expect(throws: RowError.self) { try SQLiteOrderSource(path: db, table: "missing").forEach { _ in } }
        #expect(throws: RowError.self) { try SQLiteOrderSource(path: db + ".none").forEach { _ in } }
    }

    @Test func csvPoliciesThroughTheProtocol() throws {
        let dir = try Orders.tmp()
        let path = dir + "/orders.csv"
        try [OrderRecord.header,
             "c1,o1,2025-03-01T10:00:00Z,12.50,EUR,beauty,north,web",
             "c1,o2,2025-03-01T10:00:00Z,-0.50,EUR,beauty,north,web",
             "c1,o3,2025-03-01T10:00:00Z,.5,EUR,beauty,north,web",
             "c\"2,o4,2025-03-01T10:00:00Z,1,EUR,beauty,north,web",
             "c2,o5,2025-03-01T10:00:00Z,1000000.01,EUR,beauty,north,web",
             "c2,o6,2025-03-01T10:00:00Z,1000000,EUR,beauty,north,web",
             "c3,o7,2025-03-01T10:00:00Z,3.00,EUR,toys,south,web,extra"].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var errors: [RowError] = []
        let (table, summary) = try CustomerTable.build(from: OrderCSVReader(path: path), onInvalid: { errors.append($0); return true })
        #expect(summary == OrderSourceSummary(rows: 2, skipped: 5))
        #expect(errors.map(\.line) == [3, 4, 5, 6, 8])
        #expect(errors.map(\.field) == ["amount", "amount", "customer_id", "amount", "-"])
        #expect(errors[4].description == "\(path):8: field -: expected 8 fields, found 9")
        #expect(table.entries == 2 && table.spendCents == [1250, 100_000_000])
        #expect(throws: errors[0]) { try CustomerTable.build(from: OrderCSVReader(path: path)) }
    }
}
