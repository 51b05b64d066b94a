import ArgumentParser
import Foundation
import TesseraKeys

/// `tessera keys …`: the key ceremony.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Key ceremony: federation CA, node certificates, signing keys, threshold Paillier shares, manifest.",
        subcommands: [KeysInit.self])
}

/// `tessera keys init`: writes a federation's keys (see `KeyCeremony` and `KeyLayout`).
struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init",
        abstract: "Create a federation: CA, coordinator and participant credentials, Paillier shares, manifest.json.")

    @Option(help: "Federation name (1-40 of A-Za-z0-9._-).") var federation: String
    @Option(help: "Comma-separated participant ids (each ^[a-z0-9][a-z0-9-]{0,62}$).") var participants: String
    @Option(help: "Participants needed to decrypt (1 ≤ T ≤ number of participants).") var threshold: Int
    @Option(help: "Output directory.") var out: String
    @Option(help: "Paillier modulus size in bits.") var bits: Int = 2048
    @Option(help: "Certificate validity in days.") var days: Int = 825
    @Flag(help: "Overwrite an existing ceremony's files.") var force = false
    @Option(help: "Deterministic keys from this seed: TEST fixtures only, the secrets become public.") var seed: UInt64?

    var options: KeyCeremony.Options {
        let ids = participants.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return KeyCeremony.Options(federation: federation, participants: ids, threshold: threshold, bits: bits,
                                   validityDays: days, seed: seed, force: force)
    }

    func validate() throws {
        do { try KeyCeremony.validate(options) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let options = self.options
        let ids = options.participants
        try KeyCeremony.refuseOverwrite(options, directory: out)
        if let seed {
            note("WARNING: --seed \(seed) makes every key reproducible; this is a TEST federation whose secrets are public.")
        } else if bits < 2048 {
            note("WARNING: a \(bits)-bit Paillier modulus is for tests only; use at least 2048 bits.")
        }
        note("generating a \(bits)-bit threshold Paillier key (\(threshold) of \(ids.count)), the CA and \(ids.count + 1) node certificates…")
        let output = try KeyCeremony.run(options, directory: out)
        print("federation \(output.manifest.federation): threshold \(output.manifest.threshold) of \(ids.count), written to \(out)")
        for file in output.files {
            print("  \(file.secret ? "0600 secret" : "0644 public") \(file.path)")
        }
        print("  CA fingerprint (SHA-256) \(output.manifest.caFingerprint)")
        print("Give each node manifest.json, ca.pem and its own directory; keep ca-key.pem offline.")
    }

    private func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
