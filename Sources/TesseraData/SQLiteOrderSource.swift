import Foundation
import GRDB

/// Orders from an SQLite table (default `orders`) with the CSV's columns:
/// `customer_id, order_id, timestamp, amount, currency, category, region, channel`.
///
/// Every row is validated with the CSV's rules (`OrderValidation`), on the stored text:
/// timestamps must be ISO-8601 TEXT; amounts may be TEXT (the CSV's decimal syntax), INTEGER
/// (whole currency units) or REAL (a whole number of cents); identifiers may be TEXT or
/// INTEGER (read as their decimal text, since INTEGER column affinity converts digit strings).
/// Errors name the database, table, rowid and field. Rows are read through a cursor in rowid
/// order (so the table must have a rowid), never all at once; the database is opened read-only.
public struct SQLiteOrderSource: OrderSource {
    public let path: String
    public let table: String

    public init(path: String, table: String = "orders") {
        self.path = path
        self.table = table
    }

    @discardableResult
    public func forEach(onInvalid: (RowError) -> Bool = { _ in false }, _ body: (OrderRecord) throws -> Void) throws -> OrderSourceSummary {
        func sourceError(_ problem: String) -> RowError { RowError(file: path, line: 0, field: "-", problem: problem, table: table) }
        guard !table.isEmpty, !table.contains("\""), !table.contains("\0") else { throw sourceError("invalid table name") }
        guard FileManager.default.fileExists(atPath: path) else { throw sourceError("cannot open the database") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: configuration) } catch { throw sourceError("cannot open the database: \(error)") }
        return try queue.read { db in try Self.forEach(in: db, file: path, table: table, onInvalid: onInvalid, body) }
    }

    /// The rows of `table` in an open database, read and validated as `forEach` does (`file`
    /// names the database in errors): the reader behind the file, for databases already open.
    @discardableResult
    public static func forEach(in db: Database, file: String, table: String = "orders", onInvalid: (RowError) -> Bool = { _ in false },
                               _ body: (OrderRecord) throws -> Void) throws -> OrderSourceSummary {
        guard !table.isEmpty, !table.contains("\""), !table.contains("\0") else {
            throw RowError(file: file, line: 0, field: "-", problem: "invalid table name", table: table)
        }
        let sql = "SELECT rowid, " + OrderRecord.columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(table)\" ORDER BY rowid"
        var summary = OrderSourceSummary()
        let cursor: RowCursor
        do { cursor = try Row.fetchCursor(db, sql: sql) } catch {
            throw RowError(file: file, line: 0, field: "-", problem: "cannot read the table: \(error)", table: table)
        }
        try cursor.forEach { row in
            let rowid: Int64 = row[0]
            try summary.take({ try Self.parse(row, file: file, table: table, rowid: Int(rowid)) }, onInvalid: onInvalid, body)
        }
        return summary
    }

    static func parse(_ row: Row, file: String, table: String, rowid: Int) throws -> OrderRecord {
        func fail(_ field: String, _ problem: String) -> RowError { RowError(file: file, line: rowid, field: field, problem: problem, table: table) }
        func value(_ i: Int) -> DatabaseValue { row[i + 1] }
        /// Validates a column stored as text (or, if `integers`, an INTEGER read as decimal text).
        func text<V>(_ i: Int, integers: Bool = false, _ rule: (UnsafeBufferPointer<UInt8>) -> OrderValidation.Outcome<V>) throws -> V {
            let name = OrderRecord.columns[i]
            var s: String
            switch value(i).storage {
            case .string(let v): s = v
            case .int64(let v) where integers: s = String(v)
            case .null: throw fail(name, "is NULL")
            default: throw fail(name, "must be TEXT")
            }
            switch s.withUTF8(rule) {
            case .ok(let v): return v
            case .invalid(let problem): throw fail(name, problem)
            }
        }
        let customer = try text(0, integers: true, OrderValidation.identifier)
        let order = try text(1, integers: true, OrderValidation.identifier)
        let timestamp = try text(2, OrderValidation.timestamp)
        let cents: Int64
        switch value(3).storage {
        case .int64(let v):
            guard (0...1_000_000).contains(v) else { throw fail("amount", "\(v) \(OrderValidation.amountProblem)") }
            cents = v * 100
        case .double(let x):
            switch OrderValidation.amount(x) {
            case .ok(let v): cents = v
            case .invalid(let problem): throw fail("amount", problem)
            }
        default:
            cents = try text(3, OrderValidation.amount)
        }
        let currency = try text(4, OrderValidation.currency)
        let category = try text(5, OrderValidation.category)
        let region = try text(6, OrderValidation.region)
        let channel = try text(7, OrderValidation.channel)
        return OrderRecord(customerID: customer, orderID: order, timestamp: timestamp, amountCents: cents, currency: currency,
                           category: category, region: region, channel: channel)
    }
}
