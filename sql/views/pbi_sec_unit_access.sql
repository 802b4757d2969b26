-- Grain: one row per unit and user principal name that may see it; the role Verksamhet filters pbi_dim_unit on it.
SELECT unit, user_principal_name, source
FROM sec_unit_access;
