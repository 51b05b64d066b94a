/// Area under the ROC curve as the Mann–Whitney probability P(score⁺ > score⁻) + ½·P(tie)
/// (Fawcett 2006, "An introduction to ROC analysis", §7: AUC equals the Wilcoxon–Mann–Whitney
/// statistic; tied scores form a diagonal ROC segment, i.e. count one half).
public enum AUC {
    /// Exact AUC on raw scores, O(n log n); nil if either class is empty.
    public static func exact(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var negatives: [Double] = []
        var positives: [Double] = []
        var i = 0
        while i < order.count {  // group equal scores; each group is one "bin"
            var neg = 0.0, pos = 0.0
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] { pos += 1 } else { neg += 1 }
                i += 1
            }
            negatives.append(neg)
            positives.append(pos)
        }
        return fromHistograms(negatives: negatives, positives: positives)
    }

    /// AUC from per-class histograms over increasing score bins, pairs in the same bin counted
    /// one half. Counts may be fractional (noisy sums after clamping); negative counts are
    /// treated as 0. nil if either class has no mass.
    public static func fromHistograms(negatives: [Double], positives: [Double]) -> Double? {
        precondition(negatives.count == positives.count, "histograms of equal length")
        var below = 0.0, area = 0.0, totalPositive = 0.0
        for (n, p) in zip(negatives, positives) {
            let n = max(n, 0), p = max(p, 0)
            area += p * (below + n / 2)
            below += n
            totalPositive += p
        }
        guard below > 0, totalPositive > 0 else { return nil }
        return area / (below * totalPositive)
    }
}
