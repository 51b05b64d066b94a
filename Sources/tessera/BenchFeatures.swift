import ArgumentParser
import Foundation
import TesseraData

/// `tessera bench features`: the time and memory of a brand's segment-profile computation
/// (stream and validate the CSV, aggregate per customer, derive features, sum the bounded
/// contributions) on one core, for at least N synthetic orders of one brand.
struct BenchFeatures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features",
        abstract: "Segment-profile vector from an order CSV: orders/s, seconds and peak RSS (single core).")

    @Option(help: "Synthesize at least this many orders (one brand).") var orders = 1_000_000
    @Option(help: "Benchmark this existing order CSV instead of synthesizing one.") var csv: String?
    @Option(help: "Write the synthetic CSV here and keep it (default: a temporary directory, removed).") var keep: String?
    @Option(help: "Seed of the synthetic data.") var seed: UInt64 = 1
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard orders >= 1, orders <= 100_000_000 else { throw ValidationError("--orders must be 1...100000000") }
    }

    func run() async throws {
        var path = csv ?? ""
        var temporary: String?
        var synthesis = 0.0
        if csv == nil {
            let dir = keep ?? NSTemporaryDirectory() + "tessera-bench-features-\(UUID().uuidString)"
            if keep == nil { temporary = dir }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            path = dir + "/orders.csv"
            let t = Clock.now()
            // Orders per customer from a small sample of the same generator, then 3% headroom.
            var sample = 0
            try SyntheticBrands(brands: 2, customersPerBrand: 2_000, seed: seed).generate(brand: 0) { _ in sample += 1 }
            var customers = Int((Double(orders) * 1.03 * 2_000 / Double(sample)).rounded(.up))
            while true {
                let rows = try SyntheticBrands(brands: 2, customersPerBrand: customers, seed: seed).write(brand: 0, toFile: path)
                if rows >= orders { break }
                customers = Int(Double(customers) * 1.05 * Double(orders) / Double(rows)) + 1
            }
            synthesis = Clock.now() - t
            log("synthesized \(path) in \(String(format: "%.1f", synthesis)) s")
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }

        let spec = SegmentProfileSpec()
        var t = Clock.now()
        let (table, summary) = try CustomerTable.build(from: OrderCSVReader(path: path), through: spec.features.asOf)
        let aggregate = Clock.now() - t
        t = Clock.now()
        let values = try SegmentProfile.localVector(FeatureDerivation(table: table, options: spec.features), spec: spec)
        let derive = Clock.now() - t
        let seconds = aggregate + derive
        let customers = values[0..<spec.cellCount].reduce(0, +)
        let peak = Self.peakRSSKiB()
        let rate = Double(summary.rows) / seconds
        if json {
            let object: [String: Any] = ["orders": summary.rows, "customers": customers, "seconds": seconds, "ordersPerSecond": rate,
                                         "aggregateSeconds": aggregate, "deriveSeconds": derive, "peakRSSKiB": peak ?? -1, "values": values.count]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(String(format: "%d orders, %d customers: %.2f s (stream+aggregate %.2f s, derive+sum %.2f s), %.0f orders/s; %d values",
                         summary.rows, customers, seconds, aggregate, derive, rate, values.count))
            print("peak RSS (VmHWM): " + (peak.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "unavailable"))
        }
    }

    /// Peak resident set size from /proc/self/status (Linux); nil elsewhere.
    static func peakRSSKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
