import DTICore
import Foundation
import PostgresClient

/// Stores what only changes how reports print a catalogue (migration 0017): display names beside the verbatim
/// names and lead agencies, and the published decimal places. One statement per table, after the version's rows.
enum CatalogueDisplayStore {
    struct Row: Encodable { let code: String; let display_name: String?; let display_lead: String? }

    static func store(_ c: Catalogue, versionId: Int, db: PostgresConnection) throws {
        try db.execute("""
            UPDATE dti.catalogue_versions SET points_places = \(c.displayPrecision.points), percent_places = \(c.displayPrecision.percent)
             WHERE version_id = \(versionId)
            """)
        let pillars = c.pillars.compactMap { p in p.displayName.map { Row(code: p.code, display_name: $0, display_lead: nil) } }
        let indicators = c.allIndicators.compactMap { i in
            i.displayName == nil && i.displayLead == nil ? nil : Row(code: i.code, display_name: i.displayName, display_lead: i.displayLead)
        }
        let encoder = JSONEncoder()
        if !pillars.isEmpty {
            try db.execute("""
                UPDATE dti.pillars p SET display_name = x.display_name
                  FROM jsonb_to_recordset(\(String(decoding: try encoder.encode(pillars), as: UTF8.self))::jsonb) AS x(code text, display_name text)
                 WHERE p.version_id = \(versionId) AND p.pillar_code = x.code
                """)
        }
        if !indicators.isEmpty {
            try db.execute("""
                UPDATE dti.indicators i SET display_name = x.display_name, display_lead = x.display_lead
                  FROM jsonb_to_recordset(\(String(decoding: try encoder.encode(indicators), as: UTF8.self))::jsonb)
                       AS x(code text, display_name text, display_lead text)
                 WHERE i.version_id = \(versionId) AND i.indicator_code = x.code
                """)
        }
    }
}
