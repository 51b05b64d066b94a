import Foundation
import Testing
import TesseraProtocol
import TesseraSchemes

/// A decryption request too large for one frame, split at the coordinator and reassembled at
/// the holder: the same request whatever the split, and every misordering refused by name.
@Suite struct DecryptionRequestPartsTests {
    func request(layers: Int, size: (Int) -> Int) -> Tessera_V1_DecryptionRequest {
        var r = Tessera_V1_DecryptionRequest()
        r.contributors = (0..<layers).map { String(format: "brand-%04d", $0) }
        r.keyLayers = (0..<layers).map { i in Data((0..<size(i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }) }
        r.aggregateRandomness = Data(repeating: 7, count: 64)
        return r
    }

    @Test func splitThenAssembleIsTheSameRequest() throws {
        for (layers, partBytes) in [(1, 10), (5, 1 << 20), (40, 700), (40, 1), (97, 2_500)] {
            let whole = request(layers: layers) { 100 + ($0 * 37) % 300 }
            let parts = DecryptionRequestParts.split(whole, partBytes: partBytes)
            let sizes = parts.map { $0.keyLayers.map(\.count).reduce(0, +) }
            // Each part within the budget unless a single layer is larger than it.
            #expect(zip(parts, sizes).allSatisfy { $1 <= partBytes || $0.keyLayers.count == 1 })
            #expect(parts.count == 1 || parts.allSatisfy { $0.parts == UInt32(parts.count) })
            var assembly = DecryptionRequestAssembly(maxKeyLayers: 100)
            var out: Tessera_V1_DecryptionRequest?
            for (i, part) in parts.enumerated() {
                out = try assembly.add(part, job: "j", round: 1)
                #expect((out == nil) == (i < parts.count - 1), "part \(i) of \(parts.count)")
            }
            #expect(out == whole, "\(layers) layers in parts of \(partBytes) bytes")
        }
    }

    @Test func partsOutOfOrderOrInconsistentAreRefusedByName() throws {
        let parts = DecryptionRequestParts.split(request(layers: 12) { _ in 100 }, partBytes: 300)
        #expect(parts.count == 4)
        func refusal(_ sequence: [Tessera_V1_DecryptionRequest]) -> String? {
            var assembly = DecryptionRequestAssembly(maxKeyLayers: 100)
            do { for p in sequence { _ = try assembly.add(p, job: "j", round: 1) } } catch let e as ProtocolError { return e.message } catch { return "\(error)" }
            return nil
        }
        #expect(refusal([parts[1]])?.contains("arrived without part 0") == true)
        #expect(refusal([parts[0], parts[2]])?.contains("part 2 of 4 arrived where part 1 of 4 was due") == true)
        var other = parts[1]
        other.contributors[0] = "brand-9999"
        #expect(refusal([parts[0], other])?.contains("names other contributors or another aggregate") == true)
        var beyond = parts[3]
        beyond.part = 4
        #expect(refusal([beyond])?.contains("parts are numbered from 0") == true)
        var lone = parts[0]
        lone.parts = 1
        lone.part = 3
        #expect(refusal([lone])?.contains("a request in one piece is part 0") == true)
        // More key layers than the federation has participants: refused, nothing kept.
        var small = DecryptionRequestAssembly(maxKeyLayers: 5)
        #expect(throws: ProtocolError.self) { for p in parts { _ = try small.add(p, job: "j", round: 1) } }
    }

    @Test func partZeroStartsAgainAfterAReconnect() throws {
        let whole = request(layers: 9) { _ in 50 }
        let parts = DecryptionRequestParts.split(whole, partBytes: 120)
        var assembly = DecryptionRequestAssembly(maxKeyLayers: 100)
        _ = try assembly.add(parts[0], job: "j", round: 1)
        _ = try assembly.add(parts[1], job: "j", round: 1)
        // The session dropped; the coordinator sends every part again.
        var out: Tessera_V1_DecryptionRequest?
        for part in parts { out = try assembly.add(part, job: "j", round: 1) }
        #expect(out == whole)
        // Two rounds' requests assemble side by side.
        var a = DecryptionRequestAssembly(maxKeyLayers: 100)
        _ = try a.add(parts[0], job: "j", round: 1)
        _ = try a.add(parts[0], job: "j", round: 2)
        var r1: Tessera_V1_DecryptionRequest?, r2: Tessera_V1_DecryptionRequest?
        for part in parts.dropFirst() { r1 = try a.add(part, job: "j", round: 1); r2 = try a.add(part, job: "j", round: 2) }
        #expect(r1 == whole && r2 == whole)
    }
}
