/// The threshold rule for decryption holders (protocol/README.md §6).
///
/// Any t holders can decrypt. Two sets of t out of n holders must intersect (t > n/2):
/// otherwise a coordinator could have two disjoint sets decrypt two different aggregates,
/// e.g. one holding a single honest participant's update. Against a coordinator that shows
/// different aggregates to different holders, with f corrupt holders (who would answer
/// both), two decrypting sets must share an honest holder, who answers only one aggregate
/// per round: 2t − n > f, i.e. t > (n + f)/2, so the chosen t tolerates f = 2t − n − 1.
/// Availability needs t holders online: up to n − t may be absent.
public enum ThresholdRule {
    /// Refuses t ≤ n/2 and t > n (and t < 1).
    public static func check(threshold t: Int, holders n: Int) throws {
        guard n >= 1 else { throw KeyCeremonyError.noParticipants }
        guard t >= 1, t <= n, 2 * t > n else { throw KeyCeremonyError.invalidThreshold(threshold: t, holders: n) }
    }

    /// The least allowed threshold: the least t > n/2.
    public static func defaultThreshold(holders n: Int) -> Int { n / 2 + 1 }

    /// The largest f with t > (n + f)/2: corrupt holders tolerated against a coordinator
    /// that shows different aggregates to different holders.
    public static func toleratedCorrupt(threshold t: Int, holders n: Int) -> Int { max(0, 2 * t - n - 1) }

    /// One line for command output.
    public static func summary(threshold t: Int, holders n: Int) -> String {
        let f = toleratedCorrupt(threshold: t, holders: n)
        return "threshold \(t) of \(n) holder\(n == 1 ? "" : "s"): tolerates f = \(f) corrupt holder\(f == 1 ? "" : "s") against a coordinator that shows different aggregates to different holders (t > (n + f)/2); decryption needs \(t) of the \(n) holders online (up to \(n - t) may be absent)"
    }

    static func refusal(threshold t: Int, holders n: Int) -> String {
        if t < 1 || t > n {
            return "threshold \(t) is impossible with \(n) decryption holder(s): need \(defaultThreshold(holders: n)) ≤ threshold ≤ \(n)"
        }
        return "threshold \(t) of \(n) decryption holders is refused: t must exceed n/2 (= \(Double(n) / 2)) so that any two sets of t holders intersect (otherwise two disjoint sets could decrypt two different aggregates); use \(defaultThreshold(holders: n)) ≤ threshold ≤ \(n)"
    }
}
