-- NackaInsights warehouse, version 6: who may see which verksamhet, for the Power BI role Verksamhet.
-- The warehouse builds it from configuration (AccessOptions:Units, a unit's named user principal names)
-- and from the list Förvaltningsobjekt (each object's objektsförvaltare sees the object's unit). The
-- role filters pbi_dim_unit on the rows whose user_principal_name is USERPRINCIPALNAME(). Names are
-- stored trimmed and in lower case; a unit is one of pbi_dim_unit's.

-- Grain: one row per unit and user principal name that may see it.
-- The key is 900 bytes at most, SQL Server's limit for a clustered index: longer names are not stored.
CREATE TABLE dbo.sec_unit_access (
    unit                nvarchar(200) NOT NULL,
    user_principal_name nvarchar(250) NOT NULL,
    source              nvarchar(40)  NOT NULL,
    run_id              bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (unit, user_principal_name)
);
GO

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
