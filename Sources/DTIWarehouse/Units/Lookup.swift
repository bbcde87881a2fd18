import DTICore
import Foundation
import PostgresClient

/// Names a person typed (a unit code, a catalogue id, an indicator code) checked before a command runs, so an
/// unknown one is called unknown, with up to three close matches, instead of giving "no results".
public struct Lookup {
    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    /// The unit's name and level; an unknown code (or one this login may not see) is a usage error (exit 1).
    @discardableResult
    public func unit(_ code: String) throws -> (name: String, level: String) {
        let rows = try connection.query("SELECT unit_name, level::text AS level FROM dti.v_units WHERE unit_code = \(code)")
        if rows.count == 1 { return (try rows[0]["unit_name"].decode(), try rows[0]["level"].decode()) }
        let all = try connection.query("SELECT unit_code FROM dti.v_units").map { try $0["unit_code"].decode(String.self) }
        throw Self.unknown(vi: "không có đơn vị '\(code)' (hoặc tài khoản này không được xem đơn vị đó)",
                           en: "unknown unit '\(code)' (or this login may not see it)", matches: Suggest.closest(to: code, among: all))
    }

    public func catalogue(_ id: String) throws {
        let ids = try connection.query("SELECT catalogue_id FROM dti.catalogues").map { try $0["catalogue_id"].decode(String.self) }
        guard !ids.contains(id) else { return }
        throw Self.unknown(vi: "không có bộ chỉ số '\(id)' (dti catalogue list: các bộ đã nạp)",
                           en: "unknown catalogue '\(id)' (dti catalogue list shows what is loaded)", matches: Suggest.closest(to: id, among: ids))
    }

    /// An indicator code of the catalogue (or of any catalogue when none is given).
    public func indicator(_ code: String, catalogue: String?) throws {
        let normalized = IndicatorCode.normalize(code)
        let codes = try connection.query("""
            SELECT DISTINCT indicator_code FROM dti.catalogue_items WHERE \(catalogue)::text IS NULL OR catalogue_id = \(catalogue)
            """).map { try $0["indicator_code"].decode(String.self) }
        guard !codes.contains(normalized) else { return }
        let scope = catalogue.map { " của bộ chỉ số '\($0)'" } ?? ""
        let scopeEn = catalogue.map { " in catalogue '\($0)'" } ?? ""
        throw Self.unknown(vi: "không có chỉ số '\(code)'\(scope)", en: "unknown indicator '\(code)'\(scopeEn)",
                           matches: Suggest.closest(to: normalized, among: codes))
    }

    static func unknown(vi: String, en: String, matches: [String]) -> DTIError {
        guard let hint = Suggest.hint(matches) else { return DTIError(.usage, vi: vi, en: en) }
        return DTIError(.usage, vi: vi + "; " + hint.vi, en: en + "; " + hint.en)
    }

    /// The years a unit has results for (any stage the login may see), oldest first.
    public func resultYears(_ unit: String) throws -> [Int] {
        try connection.query("SELECT DISTINCT year FROM dti.v_unit_index WHERE unit_code = \(unit) ORDER BY year").map { try $0["year"].decode(Int.self) }
    }
}
