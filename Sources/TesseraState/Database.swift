import Foundation
import GRDB

/// SQLite through GRDB in WAL mode with `synchronous = FULL`: a transaction that returned
/// has reached the disk, so a process killed at any point loses nothing it acknowledged.
public enum StateDatabase {
    /// Opens (creating if needed) a state file. A file holding secrets (`secret`: a
    /// participant's DKG dealing and key shares) is created with mode 0600, and an existing
    /// one that others may read or write is refused, naming the file and its mode; SQLite
    /// gives its -wal and -shm files the database file's mode.
    public static func open(path: String, secret: Bool = false, migrations: (inout DatabaseMigrator) -> Void) throws -> DatabaseQueue {
        if secret { try SecretFile.prepare(path) }
        var config = Configuration()
        config.journalMode = .wal
        // Another process (an exporter, an operator's query) may hold the lock briefly.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrations(&migrator)
        try migrator.migrate(queue)
        return queue
    }

    /// SQLite's `PRAGMA integrity_check` of a state file: "ok", or what is wrong.
    public static func integrityCheck(path: String) throws -> String {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}

public enum StateError: Error, CustomStringConvertible {
    case inconsistent(String)
    case insecureMode(path: String, mode: mode_t)
    case cannotCreate(path: String, reason: String)
    public var description: String {
        switch self {
        case .inconsistent(let s): return "state: \(s)"
        case .insecureMode(let path, let mode):
            return "\(path): mode \(String(mode, radix: 8)) lets others read or write this state file, which holds secret key shares; run chmod 600 \(path)"
        case .cannotCreate(let path, let reason): return "\(path): cannot create the state file: \(reason)"
        }
    }
}

/// The mode rule for files that hold secrets: owner-only, as ssh requires of private keys.
public enum SecretFile {
    /// Creates `path` empty with mode 0600 if missing; refuses an existing file with any
    /// group or other permission bit.
    public static func prepare(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            let mode = info.st_mode & 0o777
            guard mode & 0o077 == 0 else {
                throw StateError.insecureMode(path: path, mode: mode)
            }
            return
        }
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StateError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        fchmod(fd, 0o600)
        close(fd)
    }
}
