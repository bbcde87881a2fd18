/// A plain-text table for terminals: columns padded to their widest cell (counting characters, so Vietnamese
/// text lines up), numbers right-aligned.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        func isNumber(_ s: String) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isNumber || $0 == "," || $0 == "." || $0 == "-" || $0 == "+" || $0 == "%" || $0 == "−" || $0 == "—" }
        }
        func line(_ cells: [String]) -> String {
            headers.indices.map { c -> String in
                let s = cells.indices.contains(c) ? cells[c] : ""
                let pad = String(repeating: " ", count: max(0, widths[c] - s.count))
                return isNumber(s) ? pad + s : s + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(headers), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}
