import Foundation
import TesseraProtocol

/// A one-shot decryption request carries every contributor's signed key layer (about 25 KB
/// each), so with a thousand contributors it outgrows one frame (16 MiB). The coordinator
/// splits such a request into parts, each with a slice of the key layers and the same other
/// fields (tessera.proto `DecryptionRequest.part/parts`); a holder reassembles them in order
/// and acts on the whole, exactly as on a request that came in one piece.
public enum DecryptionRequestParts {
    /// Key-layer bytes per part: half a frame, so that a part and its envelope always fit.
    public static let partBytes = 8 << 20

    /// The request as one message if its key layers fit in `partBytes`, else as parts.
    public static func split(_ request: Tessera_V1_DecryptionRequest, partBytes: Int = partBytes) -> [Tessera_V1_DecryptionRequest] {
        var slices: [[Data]] = [[]]
        var size = 0
        for layer in request.keyLayers {
            if size + layer.count > partBytes, !slices[slices.count - 1].isEmpty {
                slices.append([])
                size = 0
            }
            slices[slices.count - 1].append(layer)
            size += layer.count
        }
        guard slices.count > 1 else { return [request] }
        return slices.enumerated().map { index, slice in
            var part = request
            part.keyLayers = slice
            part.part = UInt32(index)
            part.parts = UInt32(slices.count)
            return part
        }
    }
}

/// A holder's reassembly of split decryption requests, one per (job, round). Memory is
/// bounded: at most `maxKeyLayers` key layers (the federation's participants) per request.
public struct DecryptionRequestAssembly: Sendable {
    struct Partial: Sendable {
        var request: Tessera_V1_DecryptionRequest
        var next: UInt32
    }

    let maxKeyLayers: Int
    var partials: [String: Partial] = [:]

    public init(maxKeyLayers: Int) { self.maxKeyLayers = maxKeyLayers }

    /// The whole request once `part` completes it (nil while parts are still to come). A
    /// part 0 starts the request again (the coordinator resends every part after a reconnect);
    /// a part out of order, or one whose fields differ from part 0's, is refused by name.
    public mutating func add(_ part: Tessera_V1_DecryptionRequest, job: String, round: Int) throws -> Tessera_V1_DecryptionRequest? {
        let key = "\(job)/\(round)"
        if part.parts <= 1 {
            guard part.part == 0 else {
                throw ProtocolError(.malformed, "decryption request part \(part.part) of \(part.parts): a request in one piece is part 0")
            }
            partials[key] = nil
            return part
        }
        guard part.part < part.parts else {
            throw ProtocolError(.malformed, "decryption request part \(part.part) of \(part.parts): parts are numbered from 0")
        }
        guard Int(part.parts) <= max(1, maxKeyLayers) else {
            throw ProtocolError(.oversize, "decryption request in \(part.parts) parts: more parts than the federation's \(maxKeyLayers) participants have key layers")
        }
        if part.part == 0 {
            var first = part
            first.part = 0
            partials[key] = Partial(request: first, next: 1)
        } else {
            guard var partial = partials[key] else {
                throw ProtocolError(.malformed, "decryption request part \(part.part) of \(part.parts) for job \(job) round \(round) arrived without part 0")
            }
            guard partial.next == part.part, partial.request.parts == part.parts else {
                partials[key] = nil
                throw ProtocolError(.malformed, "decryption request part \(part.part) of \(part.parts) arrived where part \(partial.next) of \(partial.request.parts) was due")
            }
            guard part.contributors == partial.request.contributors, part.ciphertexts == partial.request.ciphertexts,
                  part.aggregateRandomness == partial.request.aggregateRandomness else {
                partials[key] = nil
                throw ProtocolError(.malformed, "decryption request part \(part.part) of \(part.parts) names other contributors or another aggregate than part 0")
            }
            partial.request.keyLayers += part.keyLayers
            partial.next += 1
            partials[key] = partial
        }
        guard let partial = partials[key] else { return nil }
        guard partial.request.keyLayers.count <= maxKeyLayers else {
            partials[key] = nil
            throw ProtocolError(.oversize, "decryption request with more than \(maxKeyLayers) key layers (the federation's participants)")
        }
        guard partial.next == partial.request.parts else { return nil }
        partials[key] = nil
        var whole = partial.request
        whole.part = 0
        whole.parts = 0
        return whole
    }
}
