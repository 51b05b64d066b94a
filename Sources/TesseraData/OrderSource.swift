/// A row that failed validation and where it is: a CSV file and 1-based line, or an SQLite
/// database, table and rowid (`table` set, `line` holding the rowid); then the field and why.
public struct RowError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int
    public let field: String
    public let problem: String
    /// The SQLite table, for rows read from a database; nil for CSV files.
    public let table: String?

    public init(file: String, line: Int, field: String, problem: String, table: String? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
        self.table = table
    }

    public var description: String {
        if let table { return "\(file): table \(table), rowid \(line): field \(field): \(problem)" }
        return "\(file):\(line): field \(field): \(problem)"
    }
}

/// How many rows a source delivered and how many it skipped as invalid.
public struct OrderSourceSummary: Sendable, Equatable {
    public var rows = 0
    public var skipped = 0
    public init(rows: Int = 0, skipped: Int = 0) {
        self.rows = rows
        self.skipped = skipped
    }
}

extension OrderSourceSummary {
    /// One row, the same way for every source: parsed and handed to `body` (counted in
    /// `rows`), or invalid and skipped (counted in `skipped`) when `onInvalid` allows, else
    /// its error is thrown.
    mutating func take(_ parse: () throws -> OrderRecord, onInvalid: (RowError) -> Bool, _ body: (OrderRecord) throws -> Void) throws {
        let record: OrderRecord
        do { record = try parse() } catch let error as RowError {
            guard onInvalid(error) else { throw error }
            skipped += 1
            return
        }
        try body(record)
        rows += 1
    }
}

/// A partner's orders, streamed row by row and validated with the same rules whatever the
/// storage (`OrderCSVReader`, `SQLiteOrderSource`). Invalid rows are reported through
/// `onInvalid`: returning true skips the row, false stops and the source throws that error.
/// No source holds all rows in memory.
public protocol OrderSource {
    @discardableResult
    func forEach(onInvalid: (RowError) -> Bool, _ body: (OrderRecord) throws -> Void) throws -> OrderSourceSummary
}
