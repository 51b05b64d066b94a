import Foundation
import GRDB
import TesseraRandom

/// The coordinator's append-only, hash-chained transcript (protocol/README.md §"Transcript").
///
/// Every entry is a signed envelope whose author is named: participants' messages exactly as
/// received (signed by them), and the coordinator's own records (job spec, the aggregate it
/// asked to decrypt, the released result) signed by the coordinator. Entries are appended at
/// the state machine's transitions, in canonical order (by participant id), inside the same
/// SQLite transaction as the transition: the decisions when round 1 opens, the round's
/// submissions and the aggregate when decryption starts, the verified partial decryptions and
/// the result when it is released. So the transcript does not depend on arrival order, and a
/// seeded simulation reproduces it byte for byte. The chain links entries:
/// chainᵢ = BLAKE2b-256("tessera/transcript/v1" ‖ chainᵢ₋₁ ‖ u64(i) ‖ len‖author ‖ len‖kind ‖ len‖envelope),
/// chain₀ = 32 zero bytes; the last chain value is the transcript root.
public enum Transcript {
    public struct Entry: Sendable, Codable, Equatable {
        public let position: Int
        public let author: String
        public let kind: String
        public let envelope: Data
        public let chain: Data

        public init(position: Int, author: String, kind: String, envelope: Data, chain: Data) {
            self.position = position
            self.author = author
            self.kind = kind
            self.envelope = envelope
            self.chain = chain
        }
    }

    public static let genesis = Data(repeating: 0, count: 32)

    /// An entry about to be appended.
    public struct Item: Sendable {
        public let author: String
        public let kind: String
        public let envelope: Data
        public init(author: String, kind: String, envelope: Data) {
            self.author = author
            self.kind = kind
            self.envelope = envelope
        }
    }

    static func append(_ db: Database, _ items: [Item]) throws {
        for item in items { try append(db, author: item.author, kind: item.kind, envelope: item.envelope) }
    }

    public static func link(previous: Data, position: Int, author: String, kind: String, envelope: Data) -> Data {
        func framed(_ bytes: [UInt8]) -> [UInt8] { withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes }
        var input = Array("tessera/transcript/v1".utf8) + [UInt8](previous)
        input += withUnsafeBytes(of: UInt64(position).bigEndian, Array.init)
        input += framed(Array(author.utf8)) + framed(Array(kind.utf8)) + framed([UInt8](envelope))
        return Data(Blake2b.hash(input, outputLength: 32))
    }

    static func append(_ db: Database, author: String, kind: String, envelope: Data) throws {
        let last = try Row.fetchOne(db, sql: "SELECT position, chain FROM transcript ORDER BY position DESC LIMIT 1")
        let position = (last?["position"] as Int? ?? 0) + 1
        let previous: Data = last?["chain"] ?? genesis
        let chain = link(previous: previous, position: position, author: author, kind: kind, envelope: envelope)
        try db.execute(sql: "INSERT INTO transcript (position, author, kind, envelope, chain) VALUES (?, ?, ?, ?, ?)",
                       arguments: [position, author, kind, envelope, chain])
    }
}
