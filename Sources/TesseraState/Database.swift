import Foundation
import GRDB

/// SQLite through GRDB in WAL mode with `synchronous = FULL`: a transaction that returned
/// has reached the disk, so a process killed at any point loses nothing it acknowledged.
public enum StateDatabase {
    public static func open(path: String, migrations: (inout DatabaseMigrator) -> Void) throws -> DatabaseQueue {
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
}

public enum StateError: Error, CustomStringConvertible {
    case inconsistent(String)
    public var description: String { switch self { case .inconsistent(let s): return "state: \(s)" } }
}
