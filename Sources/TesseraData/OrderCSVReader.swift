import Foundation

/// A row that failed validation: file, 1-based line, field and why.
public struct RowError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int
    public let field: String
    public let problem: String
    public var description: String { "\(file):\(line): field \(field): \(problem)" }
}

/// Streams and validates an order CSV without holding the file in memory (64 KiB reads).
/// Invalid rows are reported, never silently used; the caller's policy decides whether to
/// skip them (`onInvalid` returns true) or stop (returns false, and the reader throws).
public struct OrderCSVReader {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var skipped = 0
    }

    /// Calls `body` for every valid row, in file order.
    @discardableResult
    public func forEach(onInvalid: (RowError) -> Bool = { _ in false }, _ body: (OrderRecord) throws -> Void) throws -> Summary {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RowError(file: path, line: 0, field: "-", problem: "cannot open the file")
        }
        defer { try? handle.close() }
        var summary = Summary()
        var lineNumber = 0
        var carry = [UInt8]()
        var headerSeen = false
        func process(_ bytes: ArraySlice<UInt8>) throws {
            lineNumber += 1
            var line = bytes
            if line.last == 13 { line = line.dropLast() }  // CRLF
            if line.isEmpty { return }
            let text = String(decoding: line, as: UTF8.self)
            if !headerSeen {
                headerSeen = true
                guard text.lowercased() == OrderRecord.header else {
                    throw RowError(file: path, line: lineNumber, field: "header", problem: "expected \(OrderRecord.header.debugDescription)")
                }
                return
            }
            do {
                try body(try Self.parse(text, file: path, line: lineNumber))
                summary.rows += 1
            } catch let error as RowError {
                guard onInvalid(error) else { throw error }
                summary.skipped += 1
            }
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { break }
            carry.append(contentsOf: chunk)
            var start = 0
            while let nl = carry[start...].firstIndex(of: 10) {
                try process(carry[start..<nl])
                start = nl + 1
            }
            carry.removeFirst(start)
        }
        if !carry.isEmpty { try process(carry[...]) }
        if !headerSeen { throw RowError(file: path, line: 1, field: "header", problem: "the file is empty") }
        return summary
    }

    static func parse(_ text: String, file: String, line: Int) throws -> OrderRecord {
        let f = text.split(separator: ",", omittingEmptySubsequences: false)
        func fail(_ field: String, _ problem: String) -> RowError { RowError(file: file, line: line, field: field, problem: problem) }
        guard f.count == 8 else { throw fail("-", "expected 8 fields, found \(f.count)") }
        func identifier(_ i: Int, _ name: String) throws -> String {
            let s = f[i]
            guard !s.isEmpty, s.count <= 64, !s.contains("\"") else { throw fail(name, "must be 1-64 characters without quotes") }
            return String(s)
        }
        let customer = try identifier(0, "customer_id")
        let order = try identifier(1, "order_id")
        guard let ts = ISO8601.parse(f[2]) else { throw fail("timestamp", "\(String(f[2]).debugDescription) is not YYYY-MM-DDTHH:MM:SSZ") }
        guard let cents = parseAmount(f[3]) else { throw fail("amount", "\(String(f[3]).debugDescription) is not an amount in 0...1000000 with at most 2 decimals") }
        let currency = String(f[4])
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else { throw fail("currency", "\(currency.debugDescription) is not an ISO 4217 code") }
        guard Taxonomy.categories.contains(String(f[5])) else { throw fail("category", "\(String(f[5]).debugDescription) is not in the taxonomy") }
        guard Taxonomy.regions.contains(String(f[6])) else { throw fail("region", "\(String(f[6]).debugDescription) is not in the taxonomy") }
        guard Taxonomy.channels.contains(String(f[7])) else { throw fail("channel", "\(String(f[7]).debugDescription) is not web, app or store") }
        return OrderRecord(customerID: customer, orderID: order, timestamp: ts, amountCents: cents, currency: currency,
                           category: String(f[5]), region: String(f[6]), channel: String(f[7]))
    }

    static func parseAmount(_ s: Substring) -> Int64? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0, !parts[0].hasPrefix("+") else { return nil }
        var cents = whole * 100
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...2).contains(frac.count), frac.allSatisfy(\.isNumber), let v = Int64(frac) else { return nil }
            cents += frac.count == 1 ? v * 10 : v
        }
        return cents <= 100_000_000 ? cents : nil
    }
}
