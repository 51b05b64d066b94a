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
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            var migrator = DatabaseMigrator()
            migrations(&migrator)
            try migrator.migrate(queue)
            return queue
        } catch let error as DatabaseError {
            throw StateError.unusable(path: path, reason: Self.reason(error, path: path))
        }
    }

    /// What a person can do something about, from SQLite's result code.
    static func reason(_ error: DatabaseError, path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        let readOnly = statvfs(directory.isEmpty ? "." : directory, &fs) == 0 && fs.f_flag & UInt(ST_RDONLY) != 0
        switch error.resultCode {
        case .SQLITE_NOTADB: return "not a SQLite database (corrupt, or another kind of file); nothing was written to it"
        case .SQLITE_CORRUPT: return "the database is corrupt (\(error.message ?? "malformed")); nothing was written to it"
        case .SQLITE_FULL, .SQLITE_IOERR where fs.f_bavail == 0:
            return "the disk is full; free space and start again (the last committed state is intact)"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN where readOnly: return "the file system is read-only; a state file must be writable"
        case .SQLITE_CANTOPEN: return "cannot open the file (\(error.message ?? "no permission or no such directory"))"
        case .SQLITE_IOERR: return "an I/O error (\(error.message ?? "")); check the disk"
        default: return error.message ?? "\(error.resultCode)"
        }
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
    case unusable(path: String, reason: String)
    public var description: String {
        switch self {
        case .inconsistent(let s): return "state: \(s)"
        case .insecureMode(let path, let mode):
            return "\(path): mode \(String(mode, radix: 8)) lets others read or write this state file, which holds secret key shares; run chmod 600 \(path)"
        case .cannotCreate(let path, let reason): return "\(path): cannot create the state file: \(reason)"
        case .unusable(let path, let reason): return "state file \(path): \(reason)"
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
