-- NackaInsights warehouse, version 11: the lifecycle (lifecycle.md). How long an initiative takes from idea to
-- förvaltning, as an accumulating snapshot per initiative derived from the register's history, and when each list
-- item was created (Graph's createdDateTime), which is when its initiative was registered.

-- When the list item was created, as Graph or an offline export gives it; NULL where the source does not say.
ALTER TABLE stg_list_initiative ADD COLUMN created_at_utc timestamp NULL;
ALTER TABLE dim_initiative_version ADD COLUMN created_at_utc timestamp NULL;

-- A warehouse upgraded to this version reads the list Initiativ whole once more: a delta read returns only the items
-- modified since, and every item's createdDateTime is wanted. An item is versioned by what it says of the initiative,
-- so the read opens no version; it only fills created_at_utc.
UPDATE etl_list_state SET delta_link = NULL, content_sha256 = NULL WHERE list_name = 'Initiativ';

-- Grain: one row per initiative in the register, past or present (an accumulating snapshot).
CREATE TABLE fct_initiative_lifecycle (
    initiative_id text NOT NULL PRIMARY KEY,
    registered_on date NOT NULL,
    entered_beredning_on date NULL,
    entered_beslutad_on date NULL,
    entered_projekt_on date NULL,
    entered_forvaltning_on date NULL,
    entered_avslutad_on date NULL,
    entered_avslagen_on date NULL,
    decided_on date NULL,
    days_to_decision integer NULL,
    days_decision_to_project integer NULL,
    days_project_to_forvaltning integer NULL,
    days_to_forvaltning integer NULL,
    current_phase text NULL,
    current_phase_since date NULL,
    phase_changes integer NOT NULL,
    went_back smallint NOT NULL,
    run_id bigint NOT NULL REFERENCES etl_run (run_id)
);

-- This version's pbi_* views live in sql/views/, recreated after every migration (issue 15).
