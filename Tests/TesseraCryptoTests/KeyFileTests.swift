import Foundation
import Testing
import TesseraCrypto
import TesseraMath

@Suite struct KeyFileTests {
    let key = Fixtures.threshold.0
    let shares = Fixtures.threshold.1

    func publicData() throws -> Data { try KeyFiles.encode(ThresholdKeyFile(key, warning: "TEST")) }

    @Test func roundTrip() throws {
        let loaded = try KeyFiles.decode(ThresholdKeyFile.self, from: publicData(), path: "k.json", format: ThresholdKeyFile.format).publicKey()
        #expect(loaded == key)
        let shareData = try KeyFiles.encode(KeyShareFile(shares[2], keyID: key.id))
        let share = try KeyFiles.decode(KeyShareFile.self, from: shareData, path: "s.json", format: KeyShareFile.format).share(for: loaded)
        #expect(share.index == 3)
    }

    @Test func truncatedFileIsNamed() throws {
        let data = try publicData()
        #expect(throws: KeyFileError.notJSON(path: "k.json")) {
            try KeyFiles.decode(ThresholdKeyFile.self, from: data.prefix(data.count / 2), path: "k.json", format: ThresholdKeyFile.format)
        }
    }

    @Test func wrongFormatAndMissingFieldsAreNamed() throws {
        var object = try JSONSerialization.jsonObject(with: publicData()) as! [String: Any]
        object["format"] = "something/else"
        #expect(throws: KeyFileError.wrongFormat(path: "k", expected: ThresholdKeyFile.format, found: "something/else")) {
            try KeyFiles.decode(ThresholdKeyFile.self, from: JSONSerialization.data(withJSONObject: object), path: "k", format: ThresholdKeyFile.format)
        }
        object["format"] = ThresholdKeyFile.format
        object.removeValue(forKey: "n")
        #expect(throws: KeyFileError.missingOrInvalidField(path: "k", field: "n")) {
            try KeyFiles.decode(ThresholdKeyFile.self, from: JSONSerialization.data(withJSONObject: object), path: "k", format: ThresholdKeyFile.format)
        }
        object["n"] = "not-hex"
        #expect(throws: KeyFileError.missingOrInvalidField(path: "k", field: "n")) {
            try KeyFiles.decode(ThresholdKeyFile.self, from: JSONSerialization.data(withJSONObject: object), path: "k", format: ThresholdKeyFile.format)
        }
    }

    @Test func corruptedMaterialIsRefused() throws {
        var object = try JSONSerialization.jsonObject(with: publicData()) as! [String: Any]
        // Flip the modulus: the key id no longer matches.
        object["n"] = (key.paillier.n + 2).hex
        let file = try KeyFiles.decode(ThresholdKeyFile.self, from: JSONSerialization.data(withJSONObject: object), path: "k", format: ThresholdKeyFile.format)
        #expect(throws: KeyFileError.self) { try file.publicKey(path: "k") }
        // A share whose secret was corrupted does not match its verification key.
        var shareObject = try JSONSerialization.jsonObject(with: KeyFiles.encode(KeyShareFile(shares[0], keyID: key.id))) as! [String: Any]
        shareObject["secret"] = (shares[0].secretForStorage + 1).hex
        let shareFile = try KeyFiles.decode(KeyShareFile.self, from: JSONSerialization.data(withJSONObject: shareObject), path: "s", format: KeyShareFile.format)
        #expect(throws: KeyFileError.self) { try shareFile.share(for: key, path: "s") }
    }

    @Test func secretsReadableByOthersAreRefusedNamingFileAndMode() throws {
        let path = NSTemporaryDirectory() + "/tessera-secret-\(UUID().uuidString).key"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try KeyFiles.writeSecret(Data("secret".utf8), to: path)
        #expect(try KeyFiles.readSecret(path: path) == Data("secret".utf8))
        for bad in [0o644, 0o640, 0o660, 0o604, 0o601, 0o610, 0o666, 0o777] {
            chmod(path, mode_t(bad))
            #expect(throws: KeyFileError.insecureMode(path: path, mode: bad)) { try KeyFiles.readSecret(path: path) }
        }
        chmod(path, 0o644)
        #expect(KeyFileError.insecureMode(path: path, mode: 0o644).description
                == "\(path): mode 0644 lets others read or write this secret; run chmod 600 \(path)")
        for good in [0o600, 0o400, 0o700] {
            chmod(path, mode_t(good))
            _ = try KeyFiles.readSecret(path: path)
        }
        #expect(throws: KeyFileError.self) { try KeyFiles.readSecret(path: path + ".missing") }
        #expect(throws: KeyFileError.self) { try KeyFiles.readSecret(path: NSTemporaryDirectory()) }
    }

    @Test func secretFilesAreOwnerOnly() throws {
        let path = NSTemporaryDirectory() + "/tessera-share-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try KeyFiles.writeSecret(KeyFiles.encode(KeyShareFile(shares[0], keyID: key.id)), to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue == 0o600)
        #expect(throws: KeyFileError.self) { try KeyFiles.loadThresholdKey(path: path + ".missing") }
    }
}
