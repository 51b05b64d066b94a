import Foundation
import TesseraRandom

/// Realistic synthetic partner data from a seed, for simulations and tests.
///
/// A shared population of people (so that brands' customers overlap, as real audiences do);
/// each brand draws its customers from it with a brand-specific affinity. Per customer:
/// a region and channel habit, a first-order date spread over three years, a lifecycle
/// (active, slowing or churned), a Poisson number of orders with a log-normal rate, log-normal
/// order values around the brand's price level, and category preferences tilted by brand.
/// Everything flows from a ChaCha20 DRBG keyed by the seed: the same seed writes the same bytes.
public struct SyntheticBrands {
    public let brands: Int
    public let customersPerBrand: Int
    public let seed: UInt64
    /// The end of the observation window (2026-01-01T00:00:00Z), fixed for reproducibility.
    public static let observationEnd: Int64 = 1_767_225_600

    public init(brands: Int, customersPerBrand: Int, seed: UInt64) {
        self.brands = brands
        self.customersPerBrand = customersPerBrand
        self.seed = seed
    }

    public func brandID(_ b: Int) -> String { "brand-\(String(UnicodeScalar(UInt8(97 + b % 26))))\(b >= 26 ? String(b / 26) : "")" }

    /// Writes `DIR/<brand>/orders.csv` for each brand; returns the paths and row counts.
    @discardableResult
    public func write(to directory: String) throws -> [(path: String, rows: Int)] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var out: [(String, Int)] = []
        for b in 0..<brands {
            let dir = directory + "/" + brandID(b)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/orders.csv"
            let rows = try write(brand: b, toFile: path)
            out.append((path, rows))
        }
        return out
    }

    /// Writes brand `b`'s orders as one CSV file (64 KiB buffered writes); returns the row count.
    public func write(brand b: Int, toFile path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var buffer = OrderRecord.header + "\n"
        var rows = 0
        try generate(brand: b) { record in
            buffer += record.csvLine
            buffer += "\n"
            rows += 1
            if buffer.utf8.count > 1 << 16 { handle.write(Data(buffer.utf8)); buffer = "" }
        }
        handle.write(Data(buffer.utf8))
        try handle.close()
        return rows
    }

    /// Streams brand `b`'s orders in customer order.
    public func generate(brand b: Int, _ emit: (OrderRecord) throws -> Void) throws {
        let root = Seed(seed)
        var brandRNG = ChaCha20DRBG(seed: root.derive("brand/\(b)"))
        let priceLevel = 3.0 + 1.2 * brandRNG.unitDouble()            // log of typical order value
        let categoryTilt = Taxonomy.categories.map { _ in 0.3 + 2.0 * brandRNG.unitDouble() }
        let population = max(customersPerBrand, customersPerBrand * brands * 7 / 10)
        var chosen = Set<Int>()
        var customers: [Int] = []
        while customers.count < customersPerBrand {
            // Brand affinity: lower-numbered people slightly more often, so overlaps are uneven.
            let u = brandRNG.unitDouble()
            let person = Int(Double(population) * pow(u, 1.15 + 0.1 * Double(b % 3)))
            if chosen.insert(person).inserted { customers.append(person) }
        }
        let end = Self.observationEnd
        var orderNumber = 0
        for person in customers {
            var personRNG = ChaCha20DRBG(seed: root.derive("person/\(person)"))
            let region = Taxonomy.regions[Int(personRNG.uniform(below: UInt64(Taxonomy.regions.count)))]
            let channelHabit = Int(personRNG.uniform(below: 3))
            var rng = ChaCha20DRBG(seed: root.derive("brand/\(b)/person/\(person)"))
            let first = end - Int64(rng.unitDouble() * 3 * 365 * 86_400)
            let lifecycle = rng.unitDouble()  // < 0.55 active, < 0.8 slowing, else churned
            let activeUntil = lifecycle < 0.55 ? end : first + Int64(Double(end - first) * (lifecycle < 0.8 ? 0.7 : 0.3) * rng.unitDouble())
            let yearsActive = max(Double(activeUntil - first) / (365 * 86_400), 1.0 / 52)
            let rate = exp(0.4 + 0.7 * rng.normal())                     // orders per year
            let count = 1 + rng.poisson(mean: rate * yearsActive)
            let weights = categoryTilt.map { $0 * (0.2 + rng.unitDouble()) }
            for k in 0..<count {
                let t = k == 0 ? first : first + Int64(rng.unitDouble() * Double(max(activeUntil - first, 1)))
                let amount = min(exp(priceLevel + 0.6 * rng.normal()), 50_000)
                let channel = rng.unitDouble() < 0.7 ? Taxonomy.channels[channelHabit] : Taxonomy.channels[Int(rng.uniform(below: 3))]
                orderNumber += 1
                try emit(OrderRecord(customerID: "c\(person)", orderID: "\(brandID(b))-o\(orderNumber)", timestamp: min(t, end - 1),
                                     amountCents: Int64((amount * 100).rounded()), currency: "EUR",
                                     category: Taxonomy.categories[rng.weightedIndex(weights)], region: region, channel: channel))
            }
        }
    }
}

extension RandomSource {
    /// A double in [0, 1) from 53 random bits (for synthetic data only, never for DP noise).
    mutating func unitDouble() -> Double { Double(nextUInt64() >> 11) * 0x1p-53 }

    /// A standard normal by Box–Muller (synthetic data only).
    mutating func normal() -> Double {
        let u1 = max(unitDouble(), 0x1p-60), u2 = unitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Poisson by inversion for small means, normal approximation above 50 (synthetic data only).
    mutating func poisson(mean: Double) -> Int {
        if mean > 50 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = exp(-mean)
        var k = 0, p = unitDouble()
        while p > limit { k += 1; p *= unitDouble() }
        return k
    }

    mutating func weightedIndex(_ weights: [Double]) -> Int {
        var x = unitDouble() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() { x -= w; if x < 0 { return i } }
        return weights.count - 1
    }
}
