import Foundation
import Testing

/// The operator-facing commands, run as a user would.
@Suite struct CommandLineTests {
    func run(_ args: [String]) async throws -> (Int32, String) {
        let dir = try temporaryDirectory()
        let p = try NodeProcess("tessera", args, in: dir, name: "tessera")
        let status = try await p.waitForExit(timeout: 60)
        return (status, p.output)
    }

    @Test func privacyEpsilonPrintsJSON() async throws {
        let (status, out) = try await run(["privacy", "epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1.1", "--rounds", "100",
                                           "--delta", "1e-5", "--sampling-rate", "0.01", "--json"])
        #expect(status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        // dp-accounting 0.6.0's RdpAccountant gives 0.95609110 for this composition.
        #expect(abs((object["epsilon"] as! Double) - 0.95609110) < 1e-6)
        #expect(object["order"] != nil)
    }

    @Test func privacySampleIsReproducibleAndValidated() async throws {
        let args = ["privacy", "sample", "--mechanism", "discrete-gaussian", "--sigma", "2.5", "--count", "200", "--seed", "3"]
        let (s1, a) = try await run(args), (s2, b) = try await run(args)
        #expect(s1 == 0 && s2 == 0 && a == b)
        #expect(a.split(separator: "\n").count == 200 && a.split(separator: "\n").allSatisfy { Int($0) != nil })
        let (s3, c) = try await run(["privacy", "sample", "--mechanism", "discrete-gaussian", "--sigma", "2.5", "--count", "200", "--seed", "4"])
        #expect(s3 == 0 && c != a)
        let (bad, message) = try await run(["privacy", "sample", "--mechanism", "normal", "--sigma", "1"])
        #expect(bad != 0 && message.contains("unknown noise mechanism \"normal\""))
        // A σ beyond the samplers' exact range is refused by name, not a crash.
        let (huge, hugeMessage) = try await run(["privacy", "sample", "--mechanism", "discrete-gaussian", "--sigma", "100000000000"])
        #expect(huge != 0 && hugeMessage.contains("outside the discrete-gaussian sampler's range"), "\(hugeMessage)")
    }

    @Test func calibrateInvertsEpsilon() async throws {
        let (status, out) = try await run(["privacy", "calibrate", "--epsilon", "2", "--delta", "1e-6", "--rounds", "3",
                                           "--mechanism", "discrete-gaussian", "--participants", "5", "--sensitivity", "100", "--json"])
        #expect(status == 0)
        let variance = (try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any])["variance"] as! Double
        let (_, check) = try await run(["privacy", "epsilon", "--mechanism", "discrete-gaussian", "--participants", "5", "--variance", "\(variance)",
                                        "--sensitivity", "100", "--rounds", "3", "--delta", "1e-6", "--json"])
        let eps = (try JSONSerialization.jsonObject(with: Data(check.utf8)) as! [String: Any])["epsilon"] as! Double
        #expect(eps <= 2 && eps > 1.999)
    }
}
