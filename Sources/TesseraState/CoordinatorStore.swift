import Foundation
import GRDB

/// The coordinator's durable state: jobs, decisions, rounds, submissions (the signed
/// envelopes as received), partial decryptions, results, and the last accepted sequence per
/// sender. Every accepted message is persisted in the same transaction that advances its
/// sender's sequence, before it is acknowledged.
public final class CoordinatorStore: Sendable {
    let db: DatabaseQueue

    public init(path: String) throws {
        db = try StateDatabase.open(path: path) { m in
            m.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE jobs (id TEXT PRIMARY KEY, spec BLOB NOT NULL, status TEXT NOT NULL, created REAL NOT NULL);
                    CREATE TABLE decisions (job TEXT NOT NULL, participant TEXT NOT NULL, accept INTEGER NOT NULL,
                                            reason TEXT NOT NULL, PRIMARY KEY (job, participant));
                    CREATE TABLE rounds (job TEXT NOT NULL, round INTEGER NOT NULL, status TEXT NOT NULL,
                                         opened REAL NOT NULL, PRIMARY KEY (job, round));
                    CREATE TABLE submissions (job TEXT NOT NULL, round INTEGER NOT NULL, participant TEXT NOT NULL,
                                              envelope BLOB NOT NULL, received REAL NOT NULL, PRIMARY KEY (job, round, participant));
                    CREATE TABLE partials (job TEXT NOT NULL, round INTEGER NOT NULL, holder TEXT NOT NULL,
                                           envelope BLOB NOT NULL, PRIMARY KEY (job, round, holder));
                    CREATE TABLE results (job TEXT NOT NULL, round INTEGER NOT NULL, sums TEXT NOT NULL,
                                          contributors TEXT NOT NULL, PRIMARY KEY (job, round));
                    CREATE TABLE sequences (sender TEXT PRIMARY KEY, last INTEGER NOT NULL);
                    """)
            }
            m.registerMigration("v3-transcript") { db in
                try db.execute(sql: """
                    CREATE TABLE transcript (position INTEGER PRIMARY KEY, author TEXT NOT NULL, kind TEXT NOT NULL,
                                             envelope BLOB NOT NULL, chain BLOB NOT NULL);
                    """)
            }
            m.registerMigration("v2-ledger") { db in
                try db.execute(sql: """
                    ALTER TABLE decisions ADD COLUMN remaining_epsilon REAL NOT NULL DEFAULT 0;
                    ALTER TABLE decisions ADD COLUMN remaining_delta REAL NOT NULL DEFAULT 0;
                    ALTER TABLE decisions ADD COLUMN envelope BLOB;
                    CREATE TABLE ledger (participant TEXT NOT NULL, job TEXT NOT NULL, round INTEGER NOT NULL,
                                         epsilon REAL NOT NULL, delta REAL NOT NULL, PRIMARY KEY (participant, job, round));
                    """)
            }
            m.registerMigration("v4-unresponsive") { db in
                try db.execute(sql: """
                    CREATE TABLE unresponsive (job TEXT NOT NULL, participant TEXT NOT NULL, PRIMARY KEY (job, participant));
                    """)
            }
            m.registerMigration("v5-dkg") { db in
                try db.execute(sql: """
                    CREATE TABLE dkg (epoch BLOB PRIMARY KEY, phase TEXT NOT NULL, started REAL NOT NULL);
                    CREATE TABLE dkg_messages (epoch BLOB NOT NULL, phase TEXT NOT NULL, author TEXT NOT NULL, envelope BLOB NOT NULL,
                                               PRIMARY KEY (epoch, phase, author));
                    CREATE TABLE job_definitions (id TEXT PRIMARY KEY, definition BLOB NOT NULL, created REAL NOT NULL);
                    """)
            }
            m.registerMigration("v6-holds") { db in
                try db.execute(sql: """
                    CREATE TABLE holds (job TEXT NOT NULL, participant TEXT NOT NULL, deadline REAL NOT NULL, envelope BLOB NOT NULL,
                                        PRIMARY KEY (job, participant));
                    """)
            }
            m.registerMigration("v7-receipts") { db in
                try db.execute(sql: """
                    CREATE TABLE receipts (job TEXT NOT NULL, participant TEXT NOT NULL, received REAL NOT NULL,
                                           PRIMARY KEY (job, participant));
                    """)
            }
        }
    }

    // MARK: receipts

    /// Records that a participant confirmed it has an ended job's end (its last result, or
    /// the `JobEnded`). Kept across restarts so that a restarted coordinator knows whom it still
    /// owes the end; not part of the transcript (it changes nothing that was released).
    public func recordReceipt(job: String, participant: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO receipts (job, participant, received) VALUES (?, ?, ?)",
                           arguments: [job, participant, Date().timeIntervalSince1970])
        }
    }

    public func receipts(job: String) throws -> Set<String> {
        try db.read { db in Set(try String.fetchAll(db, sql: "SELECT participant FROM receipts WHERE job = ?", arguments: [job])) }
    }

    /// Every job's receipts, in one query.
    public func allReceipts() throws -> [String: Set<String>] {
        try db.read { db in
            var out: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, participant FROM receipts") { out[row["job"], default: []].insert(row["participant"]) }
            return out
        }
    }

    // MARK: unresponsive holders

    /// Records participants presumed gone for the rest of a job (missed a released round, or a
    /// decryption deadline), so that a restarted coordinator does not wait for them again.
    public func markUnresponsive(job: String, participants: Set<String>) throws {
        try db.write { db in
            for p in participants.sorted() {
                try db.execute(sql: "INSERT OR IGNORE INTO unresponsive (job, participant) VALUES (?, ?)", arguments: [job, p])
            }
        }
    }

    public func unresponsive(job: String) throws -> Set<String> {
        try db.read { db in Set(try String.fetchAll(db, sql: "SELECT participant FROM unresponsive WHERE job = ?", arguments: [job])) }
    }

    // MARK: sequences

    /// Next sequence number for the coordinator's own messages (durable, strictly increasing).
    public func nextOwnSequence() throws -> UInt64 {
        try db.write { db in
            let current = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'sequence'") ?? 0
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('sequence', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [current + 1])
            return UInt64(current + 1)
        }
    }

    public func lastSequence(of sender: String) throws -> UInt64 {
        try db.read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT last FROM sequences WHERE sender = ?", arguments: [sender]) ?? 0) }
    }

    static func advance(_ db: Database, sender: String, to sequence: UInt64) throws {
        try db.execute(sql: "INSERT INTO sequences (sender, last) VALUES (?, ?) ON CONFLICT(sender) DO UPDATE SET last = excluded.last",
                       arguments: [sender, Int64(sequence)])
    }

    // MARK: jobs

    public struct JobRow: Sendable { public let id: String; public let spec: Data; public let status: String }

    /// Registers a job; a new job's signed spec envelope enters the transcript with it.
    public func insertJob(id: String, spec: Data, specEnvelope: Data) throws {
        try db.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ?", arguments: [id]) ?? false
            guard !exists else { return }
            try db.execute(sql: "INSERT INTO jobs (id, spec, status, created) VALUES (?, ?, 'active', ?)",
                           arguments: [id, spec, Date().timeIntervalSince1970])
            try Transcript.append(db, author: "coordinator", kind: "job_spec", envelope: specEnvelope)
        }
    }

    public func jobs() throws -> [JobRow] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, spec, status FROM jobs ORDER BY created").map {
                JobRow(id: $0["id"], spec: $0["spec"], status: $0["status"])
            }
        }
    }

    public func setJobStatus(_ id: String, _ status: String, transcript: [Transcript.Item] = []) throws {
        try db.write { db in
            try Transcript.append(db, transcript)
            try db.execute(sql: "UPDATE jobs SET status = ? WHERE id = ?", arguments: [status, id])
        }
    }

    /// Records a participant's decision on a job. Decisions made before round 1 opens enter the
    /// transcript when it opens (in participant order); a decision arriving after that is
    /// transcribed at once (`transcribe`), in the same transaction.
    public func recordDecision(job: String, participant: String, accept: Bool, reason: String, sequence: UInt64,
                               remaining: (epsilon: Double, delta: Double) = (0, 0), envelope: Data, transcribe: Bool = false) throws {
        try db.write { db in
            try Self.advance(db, sender: participant, to: sequence)
            if transcribe { try Transcript.append(db, author: participant, kind: "job_decision", envelope: envelope) }
            try db.execute(sql: """
                INSERT OR REPLACE INTO decisions (job, participant, accept, reason, remaining_epsilon, remaining_delta, envelope)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [job, participant, accept, reason, remaining.epsilon, remaining.delta, envelope])
        }
    }

    /// Records a brand's signed decision to hold a job for its steward until `deadline`.
    public func recordHold(job: String, participant: String, deadline: Double, sequence: UInt64, envelope: Data) throws {
        try db.write { db in
            try Self.advance(db, sender: participant, to: sequence)
            try db.execute(sql: "INSERT OR REPLACE INTO holds (job, participant, deadline, envelope) VALUES (?, ?, ?, ?)",
                           arguments: [job, participant, deadline, envelope])
        }
    }

    /// Holds of a job whose brand has made no final decision yet: participant → deadline.
    public func openHolds(job: String) throws -> [String: Double] {
        try db.read { db in
            var out: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT participant, deadline FROM holds h WHERE job = ?
                AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.job = h.job AND d.participant = h.participant)
                """, arguments: [job]) { out[row["participant"]] = row["deadline"] }
            return out
        }
    }

    /// The signed hold envelopes of a job's brands that have made no final decision, by participant.
    public func openHoldEnvelopes(job: String) throws -> [(participant: String, envelope: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT participant, envelope FROM holds h WHERE job = ?
                AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.job = h.job AND d.participant = h.participant) ORDER BY participant
                """, arguments: [job]).map { ($0["participant"], $0["envelope"]) }
        }
    }

    /// The signed decision envelopes of a job, by participant.
    public func decisionEnvelopes(job: String) throws -> [(participant: String, envelope: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT participant, envelope FROM decisions WHERE job = ? AND envelope IS NOT NULL ORDER BY participant",
                             arguments: [job]).map { ($0["participant"], $0["envelope"]) }
        }
    }

    /// The budgets participants declared with their decisions on a job.
    public func declaredBudgets(job: String) throws -> [String: (epsilon: Double, delta: Double)] {
        try db.read { db in
            var out: [String: (Double, Double)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT participant, remaining_epsilon, remaining_delta FROM decisions WHERE job = ? AND accept = 1",
                                        arguments: [job]) {
                out[row["participant"]] = (row["remaining_epsilon"], row["remaining_delta"])
            }
            return out
        }
    }

    /// The federation's ledger: what each participant has spent through this coordinator.
    public func ledger() throws -> [(participant: String, job: String, round: Int, epsilon: Double, delta: Double)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT participant, job, round, epsilon, delta FROM ledger ORDER BY job, round, participant")
                .map { ($0["participant"], $0["job"], $0["round"], $0["epsilon"], $0["delta"]) }
        }
    }

    /// Every job's decisions in one query (the job API's listing).
    public func allDecisions() throws -> [String: [String: (accept: Bool, reason: String)]] {
        try db.read { db in
            var out: [String: [String: (Bool, String)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT job, participant, accept, reason FROM decisions") {
                out[row["job"], default: [:]][row["participant"]] = (row["accept"], row["reason"])
            }
            return out
        }
    }

    /// How many rounds of each job have a released result, in one query.
    public func releasedRoundCounts() throws -> [String: Int] {
        try db.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT job, COUNT(*) AS n FROM results GROUP BY job").map { ($0["job"], $0["n"]) })
        }
    }

    public func releasedRoundCount(job: String) throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE job = ?", arguments: [job]) ?? 0 }
    }

    public func job(id: String) throws -> JobRow? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT id, spec, status FROM jobs WHERE id = ?", arguments: [id]).map {
                JobRow(id: $0["id"], spec: $0["spec"], status: $0["status"])
            }
        }
    }

    public func decisions(job: String) throws -> [String: (accept: Bool, reason: String)] {
        try db.read { db in
            var out: [String: (Bool, String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT participant, accept, reason FROM decisions WHERE job = ?", arguments: [job]) {
                out[row["participant"]] = (row["accept"], row["reason"])
            }
            return out
        }
    }

    // MARK: rounds

    public func openRound(job: String, round: Int, transcript: [Transcript.Item] = []) throws {
        try db.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM rounds WHERE job = ? AND round = ?", arguments: [job, round]) ?? false
            if !exists { try Transcript.append(db, transcript) }
            try db.execute(sql: "INSERT OR IGNORE INTO rounds (job, round, status, opened) VALUES (?, ?, 'open', ?)",
                           arguments: [job, round, Date().timeIntervalSince1970])
        }
    }

    public func setRoundStatus(job: String, round: Int, _ status: String, transcript: [Transcript.Item] = []) throws {
        try db.write { db in
            try Transcript.append(db, transcript)
            try db.execute(sql: "UPDATE rounds SET status = ? WHERE job = ? AND round = ?", arguments: [status, job, round])
        }
    }

    /// The transcript in order: (position, author, kind, envelope, chain hash).
    public func transcript() throws -> [Transcript.Entry] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT position, author, kind, envelope, chain FROM transcript ORDER BY position").map {
                Transcript.Entry(position: $0["position"], author: $0["author"], kind: $0["kind"], envelope: $0["envelope"], chain: $0["chain"])
            }
        }
    }

    /// (round, status) of the latest round of a job.
    public func latestRound(job: String) throws -> (round: Int, status: String)? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT round, status FROM rounds WHERE job = ? ORDER BY round DESC LIMIT 1", arguments: [job])
                .map { ($0["round"], $0["status"]) }
        }
    }

    // MARK: submissions

    /// Stores a submission and advances the sender's sequence atomically. Returns false if the
    /// participant already has a submission for the round (nothing is written then).
    public func recordSubmission(job: String, round: Int, participant: String, sequence: UInt64, envelope: Data) throws -> Bool {
        try db.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM submissions WHERE job = ? AND round = ? AND participant = ?",
                                           arguments: [job, round, participant]) ?? false
            if exists { return false }
            try Self.advance(db, sender: participant, to: sequence)
            try db.execute(sql: "INSERT INTO submissions (job, round, participant, envelope, received) VALUES (?, ?, ?, ?, ?)",
                           arguments: [job, round, participant, envelope, Date().timeIntervalSince1970])
            return true
        }
    }

    /// Every stored submission envelope of every job and round (for exports).
    public func allSubmissions() throws -> [(job: String, round: Int, participant: String, envelope: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT job, round, participant, envelope FROM submissions ORDER BY job, round, participant")
                .map { ($0["job"], $0["round"], $0["participant"], $0["envelope"]) }
        }
    }

    public func hasSubmission(job: String, round: Int, participant: String) throws -> Bool {
        try db.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM submissions WHERE job = ? AND round = ? AND participant = ?)",
                              arguments: [job, round, participant]) ?? false
        }
    }

    /// Who has submitted for a round, sorted: the ids alone, without reading the envelopes
    /// (a round of 100 × 100,000 values stores 83 MB of them).
    public func submitters(job: String, round: Int) throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT participant FROM submissions WHERE job = ? AND round = ? ORDER BY participant",
                                arguments: [job, round])
        }
    }

    public func submissions(job: String, round: Int) throws -> [(participant: String, envelope: Data)] {
        var rows: [(participant: String, envelope: Data)] = []
        try forEachSubmission(job: job, round: round) { rows.append(($0, $1)) }
        return rows
    }

    /// The round's stored submissions one at a time, by participant: a caller that keeps only
    /// what it derives from each (an aggregate, a transcript entry) never holds every envelope at
    /// once (at 1,000 contributors they are ~100 MB). `body` must not use the store.
    public func forEachSubmission(job: String, round: Int, _ body: (_ participant: String, _ envelope: Data) throws -> Void) throws {
        try db.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT participant, envelope FROM submissions WHERE job = ? AND round = ? ORDER BY participant",
                                           arguments: [job, round])
            while let row = try rows.next() { try body(row["participant"], row["envelope"]) }
        }
    }

    // MARK: decryption

    public func recordPartials(job: String, round: Int, holder: String, sequence: UInt64, envelope: Data) throws {
        try db.write { db in
            try Self.advance(db, sender: holder, to: sequence)
            try db.execute(sql: "INSERT OR REPLACE INTO partials (job, round, holder, envelope) VALUES (?, ?, ?, ?)",
                           arguments: [job, round, holder, envelope])
        }
    }

    public func partials(job: String, round: Int) throws -> [(holder: String, envelope: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT holder, envelope FROM partials WHERE job = ? AND round = ? ORDER BY holder",
                             arguments: [job, round]).map { ($0["holder"], $0["envelope"]) }
        }
    }

    /// Stores a released result and, in the same transaction, the spend of every contributor.
    public func recordResult(job: String, round: Int, sums: [Int64], contributors: [String],
                             spend: (epsilon: Double, delta: Double) = (0, 0), transcript: [Transcript.Item]) throws {
        let sumsJSON = SumsJSON.encode(sums)
        try db.write { db in
            try Transcript.append(db, transcript)
            for participant in contributors {
                try db.execute(sql: "INSERT OR REPLACE INTO ledger (participant, job, round, epsilon, delta) VALUES (?, ?, ?, ?, ?)",
                               arguments: [participant, job, round, spend.epsilon, spend.delta])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO results (job, round, sums, contributors) VALUES (?, ?, ?, ?)",
                           arguments: [job, round, sumsJSON, contributors.joined(separator: ",")])
            try db.execute(sql: "UPDATE rounds SET status = 'done' WHERE job = ? AND round = ?", arguments: [job, round])
        }
    }

    public func result(job: String, round: Int) throws -> (sums: [Int64], contributors: [String])? {
        try db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT sums, contributors FROM results WHERE job = ? AND round = ?",
                                             arguments: [job, round]) else { return nil }
            let sums = try JSONDecoder().decode([Int64].self, from: Data((row["sums"] as String).utf8))
            return (sums, (row["contributors"] as String).split(separator: ",").map(String.init))
        }
    }
}

// MARK: - Distributed key generation

extension CoordinatorStore {
    /// (phase, start time) of an epoch's DKG, if it has begun.
    public func dkg(epoch: Data) throws -> (phase: String, started: Date)? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT phase, started FROM dkg WHERE epoch = ?", arguments: [epoch])
                .map { ($0["phase"], Date(timeIntervalSince1970: $0["started"])) }
        }
    }

    /// Begins an epoch's DKG (idempotent) with its start record in the transcript.
    public func startDKG(epoch: Data, transcript: [Transcript.Item]) throws {
        try db.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM dkg WHERE epoch = ?", arguments: [epoch]) != true else { return }
            try Transcript.append(db, transcript)
            try db.execute(sql: "INSERT INTO dkg (epoch, phase, started) VALUES (?, 'deal', ?)", arguments: [epoch, Date().timeIntervalSince1970])
        }
    }

    /// Moves a DKG to its next phase, appending that phase's transcript entries in the same transaction.
    public func setDKGPhase(epoch: Data, _ phase: String, transcript: [Transcript.Item]) throws {
        try db.write { db in
            try Transcript.append(db, transcript)
            try db.execute(sql: "UPDATE dkg SET phase = ?, started = ? WHERE epoch = ?", arguments: [phase, Date().timeIntervalSince1970, epoch])
        }
    }

    /// Stores a holder's DKG message of a phase and advances its sequence atomically; false
    /// (nothing written) if it already sent one for the phase.
    public func recordDKGMessage(epoch: Data, phase: String, author: String, sequence: UInt64, envelope: Data) throws -> Bool {
        try db.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM dkg_messages WHERE epoch = ? AND phase = ? AND author = ?",
                                           arguments: [epoch, phase, author]) ?? false
            if exists { return false }
            if sequence > 0 { try Self.advance(db, sender: author, to: sequence) }
            try db.execute(sql: "INSERT INTO dkg_messages (epoch, phase, author, envelope) VALUES (?, ?, ?, ?)",
                           arguments: [epoch, phase, author, envelope])
            return true
        }
    }

    /// A phase's messages, by author.
    public func dkgMessages(epoch: Data, phase: String) throws -> [(author: String, envelope: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT author, envelope FROM dkg_messages WHERE epoch = ? AND phase = ? ORDER BY author",
                             arguments: [epoch, phase]).map { ($0["author"], $0["envelope"]) }
        }
    }

    /// Job definitions waiting for the federation key (one-shot jobs registered before the DKG ended).
    public func savePendingDefinition(id: String, definition: Data) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO job_definitions (id, definition, created) VALUES (?, ?, ?)",
                           arguments: [id, definition, Date().timeIntervalSince1970])
        }
    }

    /// Removes a queued definition (a cancelled job that never started), recording why in the
    /// transcript in the same transaction. False if it was not queued (started or unknown).
    public func removePendingDefinition(id: String, transcript: [Transcript.Item]) throws -> Bool {
        try db.write { db in
            let queued = try Bool.fetchOne(db, sql: "SELECT 1 FROM job_definitions d WHERE d.id = ? AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.id)",
                                           arguments: [id]) ?? false
            guard queued else { return false }
            try db.execute(sql: "DELETE FROM job_definitions WHERE id = ?", arguments: [id])
            try Transcript.append(db, transcript)
            return true
        }
    }

    /// Appends records that change no other state (accesses through the job API).
    public func appendTranscript(_ items: [Transcript.Item]) throws {
        try db.write { db in try Transcript.append(db, items) }
    }

    public func pendingDefinitions() throws -> [(id: String, definition: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT d.id, d.definition FROM job_definitions d WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.id) ORDER BY created")
                .map { ($0["id"], $0["definition"]) }
        }
    }
}
