import Foundation

/// Close matches for a name a person typed wrong (an unknown unit code, catalogue id or indicator code): the
/// candidates nearest by edit distance, compared without case and without Vietnamese diacritics.
public enum Suggest {
    public static func closest(to input: String, among candidates: [String], limit: Int = 3) -> [String] {
        let key = fold(input)
        guard !key.isEmpty else { return [] }
        let allowed = min(3, max(1, key.count / 5))
        var scored: [(String, Int)] = []
        var seen = Set<String>()
        for c in candidates where seen.insert(c).inserted {
            let f = fold(c)
            var d = distance(key, f)
            // A code typed as its last part ("tan-yen" for "bac-giang.tan-yen") or cut short is close too.
            if let last = f.split(separator: ".").last, String(last) == key || f.hasSuffix("." + key) { d = min(d, 1) }
            if f.hasPrefix(key) && key.count >= 3 { d = min(d, 1) }
            if d <= allowed && d > 0 || (d == 0 && c != input) { scored.append((c, d)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// "có phải …?" / "did you mean …?" with up to three names, or "" when there is none.
    public static func hint(_ matches: [String]) -> Message? {
        guard !matches.isEmpty else { return nil }
        let list = matches.map { "'\($0)'" }
        return Message("suggest", vi: "có phải \(list.joined(separator: " hoặc "))?", en: "did you mean \(list.joined(separator: " or "))?")
    }

    static func fold(_ s: String) -> String {
        s.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Levenshtein distance over Unicode scalars.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}
