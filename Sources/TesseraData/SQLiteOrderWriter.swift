import Foundation
import GRDB

/// A value to store in an SQLite column, for writing order tables (tests, conversions).
public enum SQLiteCell: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

extension SQLiteOrderSource {
    /// The table an order database holds: the CSV's columns, without declared types.
    public static func schema(table: String = "orders") -> String {
        "CREATE TABLE \"\(table)\" (" + OrderRecord.columns.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
    }

    /// Creates the table (columns without declared type, so values keep the storage class they
    /// are given) and inserts `rows` of 8 cells in column order, in one transaction.
    public static func write(path: String, table: String = "orders", rows: some Sequence<[SQLiteCell]>) throws {
        precondition(!table.contains("\""), "invalid table name")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: schema(table: table))
            let statement = try db.makeStatement(sql: "INSERT INTO \"\(table)\" VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for row in rows {
                precondition(row.count == 8, "an order row has 8 columns")
                try statement.execute(arguments: StatementArguments(row.map { cell -> (any DatabaseValueConvertible)? in
                    switch cell {
                    case .null: return nil
                    case .integer(let v): return v
                    case .real(let v): return v
                    case .text(let v): return v
                    }
                }))
            }
        }
    }

    /// Writes records with the CSV's text forms (ISO-8601 timestamps, decimal amounts).
    public static func write(path: String, table: String = "orders", records: some Sequence<OrderRecord>) throws {
        try write(path: path, table: table, rows: records.lazy.map { r in
            r.csvLine.split(separator: ",", omittingEmptySubsequences: false).map { SQLiteCell.text(String($0)) }
        })
    }
}
