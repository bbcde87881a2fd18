-- 0031 what a unit owes for an indicator (issue 15 point 5): every variable it submits, not just any one of them.
--
-- v_submission_status counted an indicator as submitted when any of its variables had a value, so a commune with a
-- missing denominator showed 65/65. It now needs every variable the unit submits: not one from the unit's profile
-- (profile_field) or last year (previous_year_of), not the optional 'applicable', and not a constant the source fixes
-- (004's 3.6 b = 7) or an alias (d = a). This column says which variables are constants or aliases; CatalogueStore
-- writes it, and versions loaded before this migration are corrected by the next `dti catalogue load` of their file
-- (an unchanged file included).
ALTER TABLE dti.indicator_variables ADD COLUMN is_input boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN dti.indicator_variables.is_input IS
    'Biến đơn vị phải nộp / false for a constant (constant:) or an alias (same_as:) of the catalogue: never submitted, so never owed.';
-- Grants and row-level security: the table's (public reference data, 0003, 0022).
