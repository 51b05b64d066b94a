import Foundation

/// Tests only: process-kill points of the coordinator (set TESSERA_CRASH_POINT to one of the
/// names below). The coordinator exits at once there (status 86), as a SIGKILL would, without
/// cleanup, right after the named message was stored (its transaction committed) and before it
/// is acknowledged or acted upon:
/// "dkg-deal-stored", "dkg-complain-stored", "dkg-justify-stored", "dkg-confirm-stored": the
/// first message of that DKG phase; "submission-stored": a round's first submission;
/// "partials-stored": a holder's verified partial decryptions; "unresponsive-stored": the
/// holders that missed a decryption deadline, before the others are asked.
enum CrashPoint {
    static let point = ProcessInfo.processInfo.environment["TESSERA_CRASH_POINT"]
    static func reached(_ name: String) {
        if point == name { _exit(86) }
    }
}
