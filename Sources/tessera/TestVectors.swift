import TesseraData
import TesseraMath
import TesseraCrypto

/// Schemas of the known-answer files in protocol/vectors (documented in protocol/README.md).
/// All integers are lowercase big-endian hex strings.
public enum TestVectors {
    public struct Paillier: Codable, Sendable {
        public struct Key: Codable, Sendable { public var n, p, q, h: BigInt }
        public struct Case: Codable, Sendable {
            public var m, r, c: BigInt
            /// "textbook": r chosen directly; "djn": r = h^x mod n from a DJN encryption.
            public var source: String
        }
        public var version: String
        public var description: String
        public var key: Key
        public var cases: [Case]
    }

    public struct Packing: Codable, Sendable {
        public struct Plan: Codable, Sendable {
            public var valueBound, noiseBound: Int64
            public var noiseTailProbability: Double
            public var maxParticipants, plaintextBits, slotBits, slotsPerPlaintext: Int
            public var offset: Int64
        }
        public struct Vector: Codable, Sendable { public var values: [Int64]; public var plaintexts: [BigInt] }
        public struct Refusal: Codable, Sendable {
            public var valueBound, noiseBound: Int64
            public var maxParticipants, plaintextBits: Int
            public var reason: String
        }
        public var version: String
        public var description: String
        public var plan: Plan
        public var participants: [Vector]
        /// Slot-wise sum of the participants' values, and the integer sum of their plaintexts.
        public var sum: Vector
        public var refusals: [Refusal]
    }

    public struct Threshold: Codable, Sendable {
        public struct Key: Codable, Sendable {
            public var keyID: String
            public var n, h, p, q: BigInt
            public var threshold, shareCount: Int
            public var verificationBase: BigInt
            public var verificationKeys: [BigInt]
        }
        public struct Share: Codable, Sendable { public var index: Int; public var secret: BigInt }
        public struct Partial: Codable, Sendable {
            public var index: Int
            public var value, challenge, response: BigInt
            public var description: String?
        }
        public var version: String
        public var description: String
        public var key: Key
        public var shares: [Share]
        public var m, r, c: BigInt
        public var partials: [Partial]
        /// Partial decryptions that must be rejected, each naming why.
        public var invalidPartials: [Partial]
    }

    /// The segment-profile encoding: order rows in, a brand's local vector out (caps,
    /// apportionment, tiers, per-cell weights), and a summed vector decoded (weights divided
    /// out, cells made consistent, error bars).
    public struct SegmentProfile: Codable, Sendable {
        public var version: String
        public var description: String
        /// The job's `parameters`, canonical JSON (protocol/README §4).
        public var parameters: String
        /// Observation time, seconds since 1970.
        public var asOf: Int64
        /// `orders.csv` lines: a header, then rows (docs: README "Partner data").
        public var orders: [String]
        public var perCustomerL2Squared: Int64
        public var labels: [String]
        public var localVector: [Int64]
        public var decode: Decode

        public struct Decode: Codable, Sendable {
            /// The local vector plus the noise in `noise` (as if summed and noised).
            public var noise: [Int64]
            public var sums: [Int64]
            public var noiseStandardDeviation: Double
            public var minimumCustomers: Double
            /// `ProfileTable` JSON.
            public var table: ProfileTable
        }
    }
}
