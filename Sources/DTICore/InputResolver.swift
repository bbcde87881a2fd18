/// Fills the variables a unit did not submit from where the catalogue says they may come: its yearly profile
/// (`profile: households`) or its own value of another variable in the previous year (`previous_year_of: a`).
/// Submitted values always win. Pure: the caller brings the profile and last year's values.
public enum InputResolver {
    /// - Parameters:
    ///   - submitted: the unit's values for this catalogue and year (submitted, or derived from its communes)
    ///   - profile: the unit's profile for the year, field code → value
    ///   - previousYear: the unit's values for this catalogue the year before
    public static func resolve(_ catalogue: Catalogue, submitted: UnitValues, profile: [String: InputValue] = [:],
                               previousYear: UnitValues = [:]) -> UnitValues {
        var out = submitted
        for indicator in catalogue.leafIndicators {
            for v in indicator.variables where out[indicator.code]?[v.name] == nil {
                if let field = v.profile, let value = profile[field] {
                    out[indicator.code, default: [:]][v.name] = value
                } else if let source = v.previousYearOf, let value = previousYear[indicator.code]?[source] {
                    out[indicator.code, default: [:]][v.name] = value
                }
            }
        }
        return out
    }
}
