-- NackaInsights warehouse, version 6: who may see which verksamhet, for the Power BI role Verksamhet.
-- The warehouse builds it from configuration (AccessOptions:Units, a unit's named user principal names)
-- and from the list Förvaltningsobjekt (each object's objektsförvaltare sees the object's unit). The
-- role filters pbi_dim_unit on the rows whose user_principal_name is USERPRINCIPALNAME(). Names are
-- stored trimmed and in lower case; a unit is one of pbi_dim_unit's.

-- Grain: one row per unit and user principal name that may see it.
CREATE TABLE sec_unit_access (
    unit                text   NOT NULL,
    user_principal_name text   NOT NULL,
    source              text   NOT NULL,
    run_id              bigint NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (unit, user_principal_name)
);

CREATE VIEW pbi_sec_unit_access AS
SELECT unit, user_principal_name, source
FROM sec_unit_access;

GRANT SELECT ON pbi_sec_unit_access TO nacka_insights_reader;
