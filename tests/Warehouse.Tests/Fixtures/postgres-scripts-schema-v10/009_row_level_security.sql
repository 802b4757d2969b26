-- NackaInsights warehouse, version 9: who may see which förvaltningsobjekt, for the Power BI role Verksamhet.
-- The table Förvaltningsobjekt sits on the one side of Initiativ, so the role's unit filter never reaches
-- it; the role filters it on the rows of this view whose user_principal_name is USERPRINCIPALNAME() instead.
-- A person sees the objects of the units they may see (pbi_sec_unit_access, source Verksamhet), the objects
-- that initiatives of those units run on (Initiativ: else such an initiative would vanish with its object),
-- and the objects they manage (Objektsforvaltare: what the role Objektsförvaltare shows them, so that a
-- person in both roles sees no more than under Verksamhet alone). Only objects of pbi_dim_object appear.
-- Names are in lower case (a förvaltare's address trimmed and lowered here; the others are stored so).

-- Grain: one row per object, user principal name and reason.
CREATE VIEW pbi_sec_object_access AS
SELECT o.object_id, a.user_principal_name, 'Verksamhet' AS source
FROM dim_object o
JOIN sec_unit_access a ON a.unit = o.unit
UNION
SELECT o.object_id, a.user_principal_name, 'Initiativ' AS source
FROM dim_initiative i
JOIN dim_object o ON o.object_id = i.object_id
JOIN sec_unit_access a ON a.unit = i.unit
UNION
SELECT o.object_id, LOWER(TRIM(o.manager_email)) AS user_principal_name, 'Objektsforvaltare' AS source
FROM dim_object o
WHERE TRIM(o.manager_email) <> '';

GRANT SELECT ON pbi_sec_object_access TO nacka_insights_reader;
