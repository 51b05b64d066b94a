import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraCoordinator
import TesseraData
import TesseraJobs
import TesseraPrivacy

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Partner data tools.",
                                                    subcommands: [Synth.self, Check.self, Profile.self, Compare.self, Release.self])

    struct Synth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write realistic synthetic brands (one orders.csv per brand).")
        @Option(help: "Number of brands.") var brands = 3
        @Option(help: "Customers per brand.") var customers = 20_000
        @Option(help: "Seed (the same seed writes the same bytes).") var seed: UInt64 = 1
        @Option(help: "Output directory.") var out: String

        func validate() throws {
            guard (1...200).contains(brands) else { throw ValidationError("--brands must be 1...200") }
            guard (1...10_000_000).contains(customers) else { throw ValidationError("--customers must be 1...10000000") }
        }

        func run() async throws {
            let written = try SyntheticBrands(brands: brands, customersPerBrand: customers, seed: seed).write(to: out)
            for (path, rows) in written { print("\(path)\t\(rows) orders") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate an order CSV and report every invalid row.")
        @Argument(help: "CSV file.") var path: String
        @Flag(help: "Stop at the first invalid row instead of reporting and skipping.") var strict = false

        func run() async throws {
            var invalid = 0
            let summary = try OrderCSVReader(path: path).forEach(onInvalid: { error in
                invalid += 1
                if invalid <= 20 { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
                return !strict
            }) { _ in }
            print("\(summary.rows) valid rows, \(summary.skipped) skipped")
            if summary.skipped > 0 { throw ExitCode(2) }
        }
    }

    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute a brand's local (category × region) profile vector for a vector-sum job.")
        @Option(help: "The brand's orders.csv.") var orders: String
        @Option(help: "Where to write the vector (one integer per line).") var out: String

        func run() async throws {
            let (values, summary) = try CellProfile.vector(ordersAt: orders)
            try (zip(CellProfile.labels, values).map { "\($1)  # \($0)" }.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
            print("\(out): \(values.count) values from \(summary.rows) orders")
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a released profile (noised cells, error bars, small cells suppressed) and compare it with the brands' plaintext vectors.")
        @Option(help: "The coordinator's result (JSON with \"sums\").") var result: String
        @Option(help: "Per-participant noise variance of the job (0 without noise).") var variance: Double = 0
        @Option(help: "Suppress cells whose noised order count is under this.") var minCount: Int64 = 0
        @Argument(help: "The brands' local vectors (only a test harness has them all).") var vectors: [String]

        func run() async throws {
            let object = try JSONSerialization.jsonObject(with: FileBytes.read(result)) as? [String: Any]
            guard let sums = (object?["sums"] as? [NSNumber])?.map(\.int64Value) else { throw ValidationError("no sums in \(result)") }
            var plain = [Int64](repeating: 0, count: sums.count)
            for path in vectors {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let values = text.split(separator: "\n").compactMap { Int64($0.split(separator: "#").first?.trimmingCharacters(in: .whitespaces) ?? "") }
                guard values.count == sums.count else { throw ValidationError("\(path) has \(values.count) values, the result \(sums.count)") }
                for i in values.indices { plain[i] += values[i] }
            }
            let sd = (variance * Double(vectors.count)).squareRoot()
            let profile = ReleasedProfile(sums: sums, noiseStandardDeviation: sd, minimumCount: minCount)
            print(profile.table(), terminator: "")
            let suppressed = profile.cells.filter(\.suppressed).count
            if variance == 0 {
                let mismatches = zip(sums, plain).filter { $0 != $1 }.count
                print(mismatches == 0 ? "check: the decrypted aggregate equals the sum of the \(vectors.count) brands' vectors (\(sums.count) values)"
                                      : "check FAILED: \(mismatches) values differ")
                if mismatches > 0 { throw ExitCode(1) }
            } else {
                let errors = zip(sums, plain).map { Double($0 - $1) }
                let rms = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
                let relative = zip(sums, plain).filter { $1 >= 100 }.map { abs(Double($0 - $1)) / Double($1) }
                print(String(format: "utility: RMS noise %.1f (expected σ = %.1f); median relative error %.2f%% over %d values ≥ 100; %d cells suppressed",
                             rms, sd, 100 * (relative.sorted().dropFirst(relative.count / 2).first ?? 0), relative.count, suppressed))
                // The noise must be of the stated scale: a released sum equal to the plaintext would mean no noise was added.
                guard rms > sd / 3, rms < sd * 3 else { print("check FAILED: noise scale"); throw ExitCode(1) }
            }
        }
    }

    /// A released segment profile as a table: decoded from the job's result with the noise
    /// scale its spec states, small cells suppressed, every value with its 95% error bar. With
    /// every brand's orders (a test harness has them all), the values are checked against the
    /// same computation done centrally: about 95% must lie within their error bar.
    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode a released segment profile (noised cells, 95% error bars, small cells suppressed) into a CSV table.")
        @Option(help: "The job file the result was released for.") var job: String
        @Option(help: "The result as `tessera job result` prints it (JSON with \"rounds\").") var result: String
        @Option(help: "Write the table here as CSV.") var out: String
        @Option(help: "Suppress cells whose noised customer count is under this.") var minCustomers: Double = 20
        @Argument(help: "Every brand's orders (test harnesses only): check the error bars against the central computation.") var orders: [String] = []

        func run() async throws {
            let definition = try JobDefinition.load(path: job)
            guard case .segmentProfile(let profile) = try definition.parameters ?? JobComputation(kind: definition.kind, parameters: "") else {
                throw ValidationError("job \(job) is a \(definition.kind) job, not segment-profile")
            }
            let document: Any
            do { document = try JSONSerialization.jsonObject(with: FileBytes.read(result)) } catch {
                throw ValidationError("result \(result): not a JSON file (\(error.localizedDescription))")
            }
            guard let last = ((document as? [String: Any])?["rounds"] as? [[String: Any]])?.last,
                  let sums = (last["sums"] as? [NSNumber])?.map(\.int64Value), let contributors = last["contributors"] as? [String] else {
                throw ValidationError("result \(result): expected {\"rounds\": [{\"sums\": [...], \"contributors\": [...]}]}")
            }
            guard sums.count == profile.length else { throw ValidationError("result \(result) has \(sums.count) values; the job's profile has \(profile.length)") }
            let variance = definition.privacy.flatMap { ExactRational($0.variance)?.doubleValue } ?? 0
            let sigma = (variance * Double(contributors.count)).squareRoot()
            let released = try SegmentProfile.decode(sums: sums, spec: profile, noiseStandardDeviation: sigma, minimumCustomers: minCustomers)
            try released.csv().write(toFile: out, atomically: true, encoding: .utf8)
            print("released profile: \(released.cells.count) cells, \(released.cells.filter(\.suppressed).count) suppressed, noise σ = \(String(format: "%.0f", sigma)) per value; table in \(out)")
            guard !orders.isEmpty else { return }
            let capped = try SegmentProfile.centralTable(try orders.map { try LocalInputs(vector: nil, ordersPath: $0).derivation(profile.features) }, spec: profile, capped: true)
            guard let coverage = ProfileComparison.errorBarCoverage(released: released, capped: capped) else { throw ValidationError("no released values to check") }
            print(String(format: "check: %.1f%% of released values lie within their 95%% error bar of the central (noise-free) computation", 100 * coverage))
            guard coverage > 0.85 else { print("check FAILED: the noise is larger than the spec states"); throw ExitCode(1) }
        }
    }
}
