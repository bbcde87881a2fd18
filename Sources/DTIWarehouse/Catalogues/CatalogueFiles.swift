import DTICore
import Foundation

/// Reading catalogue files from disk: the I/O around the pure parser and lint.
public enum CatalogueFiles {
    public struct Checked: Sendable {
        public let path: String
        public let text: String
        public let bytes: Data
        public let catalogue: Catalogue?
        public let diagnostics: [Diagnostic]
        public var hasErrors: Bool { catalogue == nil || diagnostics.hasErrors }
    }

    /// Reads, parses and lints one file. A file that is not UTF-8 is an error naming the byte offset.
    public static func check(path: String, knownProfileFields: Set<String>? = nil) -> Checked {
        let display = path
        guard let data = FileManager.default.contents(atPath: path) else {
            let d = Diagnostic(.error, file: display, at: SourcePosition(line: 0, column: 0),
                               Message("file.unreadable", vi: "không đọc được tệp", en: "cannot read the file"))
            return Checked(path: path, text: "", bytes: Data(), catalogue: nil, diagnostics: [d])
        }
        switch UTF8Check.validate(data) {
        case .failure(let bad):
            let d = Diagnostic(.error, file: display, at: SourcePosition(line: bad.line, column: bad.column),
                               Message("file.utf8", vi: "tệp không phải UTF-8 hợp lệ: byte không hợp lệ ở vị trí \(bad.offset)",
                                       en: "the file is not valid UTF-8: invalid byte at offset \(bad.offset)"))
            return Checked(path: path, text: "", bytes: data, catalogue: nil, diagnostics: [d])
        case .success:
            break
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let (catalogue, parseDiagnostics) = CatalogueParser.parse(text, file: display)
        var diagnostics = parseDiagnostics
        if let catalogue {
            diagnostics += CatalogueLint.check(catalogue, file: display, knownProfileFields: knownProfileFields)
        }
        diagnostics.sort { ($0.position, $0.message.code) < ($1.position, $1.message.code) }
        return Checked(path: path, text: text, bytes: data, catalogue: catalogue, diagnostics: diagnostics)
    }

    /// Every `*.yaml` file of a directory, sorted.
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Checks a set of files together: each on its own, then what spans files (the profile fields that
    /// `profile:` names, the targets of `feeds`).
    public static func checkAll(paths: [String]) -> [Checked] {
        var checked = paths.map { check(path: $0) }
        let catalogues = checked.compactMap(\.catalogue)
        let profileFields: Set<String>? = catalogues.first { $0.kind == .profile }.map { Set($0.allIndicators.map(\.code)) }
        let byId = Dictionary(catalogues.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (k, item) in checked.enumerated() {
            guard let c = item.catalogue else { continue }
            var extra: [Diagnostic] = []
            if let profileFields {
                for i in c.allIndicators {
                    for v in i.variables {
                        if let p = v.profile, !profileFields.contains(p) {
                            extra.append(Diagnostic(.error, file: item.path, at: v.position, Message("lint.unknown_profile",
                                vi: "trường hồ sơ '\(p)' không có trong danh mục hồ sơ đơn vị", en: "profile field '\(p)' is not in the unit profile catalogue")))
                        }
                    }
                }
            }
            for i in c.allIndicators {
                for v in i.variables {
                    for feed in v.feeds {
                        guard let target = byId[feed.catalogue] else {
                            if paths.count > 1 {
                                extra.append(Diagnostic(.error, file: item.path, at: feed.position, Message("lint.feed_catalogue",
                                    vi: "feeds: danh mục '\(feed.catalogue)' không có trong các tệp được kiểm tra",
                                    en: "feeds: catalogue '\(feed.catalogue)' is not among the files checked")))
                            }
                            continue
                        }
                        guard let ti = target.indicator(feed.indicator) else {
                            extra.append(Diagnostic(.error, file: item.path, at: feed.position, Message("lint.feed_indicator",
                                vi: "feeds: danh mục '\(feed.catalogue)' không có chỉ số '\(feed.indicator)'",
                                en: "feeds: catalogue '\(feed.catalogue)' has no indicator '\(feed.indicator)'")))
                            continue
                        }
                        if ti.variable(feed.variable) == nil {
                            extra.append(Diagnostic(.error, file: item.path, at: feed.position, Message("lint.feed_variable",
                                vi: "feeds: chỉ số \(feed.indicator) của '\(feed.catalogue)' không có biến '\(feed.variable)'",
                                en: "feeds: indicator \(feed.indicator) of '\(feed.catalogue)' has no variable '\(feed.variable)'")))
                        }
                    }
                }
            }
            if !extra.isEmpty {
                checked[k] = Checked(path: item.path, text: item.text, bytes: item.bytes, catalogue: item.catalogue,
                                     diagnostics: (item.diagnostics + extra).sorted { ($0.position, $0.message.code) < ($1.position, $1.message.code) })
            }
        }
        return checked
    }
}

/// UTF-8 validation that says where the first bad byte is (never guesses another encoding).
public enum UTF8Check {
    public struct Invalid: Error, Sendable, Equatable {
        /// 0-based byte offset of the first invalid byte.
        public let offset: Int
        public let line: Int
        public let column: Int
    }

    public static func validate(_ data: Data) -> Result<Void, Invalid> {
        data.withUnsafeBytes { raw -> Result<Void, Invalid> in
            let bytes = raw.bindMemory(to: UInt8.self)
            return validate(bytes, startOffset: 0, startLine: 1, lineStart: 0)
        }
    }

    /// Validates a buffer; offsets are reported relative to `startOffset`.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>, startOffset: Int, startLine: Int, lineStart: Int) -> Result<Void, Invalid> {
        var i = 0
        var line = startLine
        var lineStartOffset = lineStart
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x0A { line += 1; lineStartOffset = startOffset + i + 1 }
                i += 1
                continue
            }
            var need = 0
            var minScalar: UInt32 = 0
            var scalar: UInt32 = 0
            switch b {
            case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default:
                return .failure(Invalid(offset: startOffset + i, line: line, column: startOffset + i - lineStartOffset + 1))
            }
            for k in 1...need {
                guard i + k < n, bytes[i + k] & 0xC0 == 0x80 else {
                    return .failure(Invalid(offset: startOffset + i, line: line, column: startOffset + i - lineStartOffset + 1))
                }
                scalar = (scalar << 6) | UInt32(bytes[i + k] & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
                return .failure(Invalid(offset: startOffset + i, line: line, column: startOffset + i - lineStartOffset + 1))
            }
            i += need + 1
        }
        return .success(())
    }
}
