import ArgumentParser
import Foundation
import TesseraData

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Partner data tools.",
                                                    subcommands: [Synth.self, Check.self])

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
}
