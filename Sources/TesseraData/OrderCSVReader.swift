import Foundation

/// Streams and validates an order CSV without holding the file in memory (1 MiB reads).
/// Invalid rows are reported, never silently used; the caller's policy decides whether to
/// skip them (`onInvalid` returns true) or stop (returns false, and the reader throws).
/// Parsing works on the raw bytes of each line; fields are RFC 4180 without quoting (the
/// schema forbids commas and quotes inside values).
public struct OrderCSVReader: OrderSource {
    public let path: String

    public init(path: String) { self.path = path }

    public typealias Summary = OrderSourceSummary

    /// Calls `body` for every valid row, in file order.
    @discardableResult
    public func forEach(onInvalid: (RowError) -> Bool = { _ in false }, _ body: (OrderRecord) throws -> Void) throws -> Summary {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RowError(file: path, line: 0, field: "-", problem: "cannot open the file") }
        defer { close(fd) }
        // Reads of 1 MiB, or of the whole file when it is smaller (a small file costs no
        // megabyte buffers).
        var info = stat()
        let size = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : Int.max
        let chunkSize = max(1, min(1 << 20, size &+ 1))
        var summary = Summary()
        var lineNumber = 0
        var headerSeen = false
        func process(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            var line = bytes
            if line.last == 13 { line = UnsafeBufferPointer(rebasing: line.dropLast()) }  // CRLF
            if line.isEmpty { return }
            if !headerSeen {
                headerSeen = true
                guard String(decoding: line, as: UTF8.self).lowercased() == OrderRecord.header else {
                    throw RowError(file: path, line: lineNumber, field: "header", problem: "expected \(OrderRecord.header.debugDescription)")
                }
                return
            }
            try summary.take({ try Self.parse(line, file: path, line: lineNumber) }, onInvalid: onInvalid, body)
        }
        var buffer = [UInt8]()
        buffer.reserveCapacity(min(chunkSize, 1 << 20) * 2)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RowError(file: path, line: lineNumber, field: "-", problem: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            let consumed = try buffer.withUnsafeBufferPointer { all -> Int in
                var start = 0
                for i in 0..<all.count where all[i] == 10 {
                    try process(UnsafeBufferPointer(rebasing: all[start..<i]))
                    start = i + 1
                }
                return start
            }
            buffer.removeFirst(consumed)
        }
        if !buffer.isEmpty { try buffer.withUnsafeBufferPointer { try process($0) } }
        if !headerSeen { throw RowError(file: path, line: 1, field: "header", problem: "the file is empty") }
        return summary
    }

    /// Validates one data line (without its line break) into a record.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, file: String, line number: Int) throws -> OrderRecord {
        func fail(_ field: String, _ problem: String) -> RowError { RowError(file: file, line: number, field: field, problem: problem) }
        var commas = 0
        for c in line where c == 44 { commas += 1 }
        guard commas == 7 else { throw fail("-", "expected 8 fields, found \(commas + 1)") }
        var position = 0
        func next() -> UnsafeBufferPointer<UInt8> {
            var end = position
            while end < line.count, line[end] != 44 { end += 1 }
            defer { position = end + 1 }
            return UnsafeBufferPointer(rebasing: line[position..<end])
        }
        func check<V>(_ name: String, _ outcome: OrderValidation.Outcome<V>) throws -> V {
            switch outcome {
            case .ok(let v): return v
            case .invalid(let problem): throw fail(name, problem)
            }
        }
        let customer = try check("customer_id", OrderValidation.identifier(next()))
        let order = try check("order_id", OrderValidation.identifier(next()))
        let timestamp = try check("timestamp", OrderValidation.timestamp(next()))
        let cents = try check("amount", OrderValidation.amount(next()))
        let currency = try check("currency", OrderValidation.currency(next()))
        let category = try check("category", OrderValidation.category(next()))
        let region = try check("region", OrderValidation.region(next()))
        let channel = try check("channel", OrderValidation.channel(next()))
        return OrderRecord(customerID: customer, orderID: order, timestamp: timestamp, amountCents: cents, currency: currency,
                           category: category, region: region, channel: channel)
    }
}
