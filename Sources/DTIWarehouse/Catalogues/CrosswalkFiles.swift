import DTICore
import Foundation

/// The crosswalk files of `etl/crosswalks/`.
public enum CrosswalkFiles {
    public static func load(directory: String) throws -> [Crosswalk] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { name in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DTIError(.inputRejected, vi: "không đọc được \(path)", en: "cannot read \(path)")
            }
            do { return try Crosswalk.parse(String(decoding: data, as: UTF8.self), file: path) } catch let d as Diagnostic {
                throw DTIError(.inputRejected, d.message, details: [d.text(Say.language)])
            }
        }
    }
}
