import ArgumentParser
import Foundation
import TesseraAccountant
import TesseraPrivacy
import TesseraRandom

/// `tessera privacy`: the accountant and the samplers, for operators and auditors.
struct Privacy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Privacy accounting and exact noise sampling.",
                                                    subcommands: [Epsilon.self, Calibrate.self, Sample.self])

    /// Options shared by epsilon and calibrate.
    struct MechanismOptions: ParsableArguments {
        @Option(help: "gaussian, discrete-gaussian, skellam or laplace.") var mechanism = "gaussian"
        @Option(help: "Releases composed (rounds).") var rounds = 1
        @Option(help: "δ of the (ε, δ) guarantee.") var delta: Double
        @Option(help: "gaussian: Poisson sampling rate q in (0, 1].") var samplingRate: Double?
        @Option(help: "discrete-gaussian/skellam: honest participants whose noise is counted.") var participants: Int?
        @Option(help: "discrete-gaussian/skellam: L2 sensitivity in integer units.") var sensitivity: Double?
        @Option(help: "discrete-gaussian/skellam: dimension of the released vector.") var dimension = 1

        func validate() throws {
            guard delta > 0 && delta < 1 else { throw ValidationError("--delta must be in (0, 1)") }
            guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
            if let q = samplingRate { guard q > 0 && q <= 1 else { throw ValidationError("--sampling-rate must be in (0, 1]") } }
            switch mechanism {
            case "gaussian", "laplace": break
            case "discrete-gaussian", "skellam":
                guard let n = participants, n >= 1 else { throw ValidationError("--participants (≥ 1) is required for \(mechanism)") }
                guard let s = sensitivity, s > 0 else { throw ValidationError("--sensitivity (> 0) is required for \(mechanism)") }
                guard dimension >= 1 else { throw ValidationError("--dimension must be at least 1") }
            default: throw ValidationError("--mechanism must be gaussian, discrete-gaussian, skellam or laplace")
            }
        }

        /// The per-release curve for a noise parameter (noise multiplier, or per-participant variance).
        func curve(_ noise: Double) -> RDPCurve {
            switch mechanism {
            case "discrete-gaussian":
                return Mechanisms.distributedDiscreteGaussian(participants: participants!, variance: noise, sensitivity: sensitivity!, dimension: dimension)
            case "skellam":
                return Mechanisms.skellam(participants: participants!, variance: noise, sensitivity: sensitivity!, dimension: dimension)
            default:
                return samplingRate.map { Mechanisms.subsampledGaussian(samplingRate: $0, noiseMultiplier: noise) } ?? Mechanisms.gaussian(noiseMultiplier: noise)
            }
        }
    }

    static func emit(_ object: [String: Any], json: Bool, human: String) throws {
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(human)
        }
    }

    struct Epsilon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "ε of a composition (Rényi DP, converted with Canonne–Kamath–Steinke).")
        @OptionGroup var options: MechanismOptions
        @Option(help: "gaussian: noise multiplier σ (noise std / L2 sensitivity).") var noiseMultiplier: Double?
        @Option(help: "discrete-gaussian/skellam: per-participant noise variance (integer units).") var variance: Double?
        @Option(help: "laplace: scale b (L1 sensitivity 1, or --sensitivity).") var scale: Double?
        @Flag(help: "Print JSON with epsilon and order.") var json = false

        func validate() throws {
            if options.mechanism == "laplace" {
                guard let b = scale, b > 0 else { throw ValidationError("--scale (> 0) is required for laplace") }
            } else if options.mechanism == "gaussian" {
                guard let s = noiseMultiplier, s > 0 else { throw ValidationError("--noise-multiplier (> 0) is required for gaussian") }
            } else {
                guard let v = variance, v > 0 else { throw ValidationError("--variance (> 0) is required for \(options.mechanism)") }
            }
        }

        func run() async throws {
            if options.mechanism == "laplace" {
                let eps = Mechanisms.laplaceEpsilon(scale: scale!, sensitivity: options.sensitivity ?? 1, rounds: options.rounds, delta: options.delta)
                try Privacy.emit(["epsilon": eps, "delta": options.delta, "rounds": options.rounds, "mechanism": "laplace",
                                  "pure_epsilon": Double(options.rounds) * (options.sensitivity ?? 1) / scale!],
                                 json: json, human: String(format: "ε = %.6g at δ = %g over %d round(s) (smaller of pure composition and Rényi)", eps, options.delta, options.rounds))
                return
            }
            let noise = options.mechanism == "gaussian" ? noiseMultiplier! : variance!
            let (eps, order) = options.curve(noise).composed(options.rounds).epsilon(delta: options.delta)
            try Privacy.emit(["epsilon": eps, "order": order, "delta": options.delta, "rounds": options.rounds, "mechanism": options.mechanism],
                             json: json, human: String(format: "ε = %.6g at δ = %g over %d round(s) (best Rényi order %g)", eps, options.delta, options.rounds, order))
        }
    }

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The least noise that achieves (ε, δ) over the rounds.")
        @OptionGroup var options: MechanismOptions
        @Option(help: "Target ε.") var epsilon: Double
        @Flag(help: "Print JSON.") var json = false

        func validate() throws { guard epsilon > 0 else { throw ValidationError("--epsilon must be positive") } }

        func run() async throws {
            guard let noise = Calibration.smallestNoise(target: epsilon, epsilon: { options.curve($0).composed(options.rounds).epsilon(delta: options.delta).epsilon }) else {
                throw ValidationError("no noise level up to 1e9 reaches ε = \(epsilon)")
            }
            let name = options.mechanism == "gaussian" ? "noise_multiplier" : "variance"
            try Privacy.emit([name: noise, "epsilon": epsilon, "delta": options.delta, "rounds": options.rounds, "mechanism": options.mechanism],
                             json: json, human: String(format: "%@ = %.6g achieves ε = %g at δ = %g over %d round(s)", name, noise, epsilon, options.delta, options.rounds))
        }
    }

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exact integer noise samples, one per line (seeded ChaCha20 DRBG).")
        @Option(help: "discrete-gaussian, discrete-laplace or skellam.") var mechanism: String
        @Option(help: "σ (decimal or p/q); for discrete-laplace the scale b; for skellam σ² = 2μ.") var sigma: String
        @Option(help: "Number of samples.") var count = 10
        @Option(help: "Seed.") var seed: UInt64 = 1

        func run() async throws {
            guard count >= 0 && count <= 100_000_000 else { throw ValidationError("--count must be 0...100000000") }
            // Parsing, squaring and range checks live with the samplers (SamplerLimits).
            let noise: NoiseMechanism
            do { noise = try NoiseMechanism(mechanism: mechanism, sigma: sigma) } catch {
                throw ValidationError("\(error)")
            }
            var rng = ChaCha20DRBG(seed: Seed(seed).derive("tessera/privacy/sample"))
            var out = ""
            for i in 0..<count {
                out += "\(noise.sample(using: &rng))\n"
                if i % 4096 == 4095 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
