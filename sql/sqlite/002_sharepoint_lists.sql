-- NackaInsights warehouse, version 2: the SharePoint lists. Their items land as read (raw_list_item),
-- their current valid content is kept per item (stg_list_*), and the initiative register becomes a
-- type 2 slowly changing dimension. Problems of list items name the list and the item.

ALTER TABLE etl_problem ADD COLUMN item_id TEXT NULL;

-- Grain: one row per list, its reading state.
CREATE TABLE etl_list_state (
    list_name      TEXT    NOT NULL PRIMARY KEY,
    delta_link     TEXT    NULL,
    content_sha256 TEXT    NULL,
    last_run_id    INTEGER NOT NULL REFERENCES etl_run (run_id),
    last_read_utc  TEXT    NOT NULL
);

-- Grain: one row per list read in a run.
CREATE TABLE etl_list_read (
    run_id         INTEGER NOT NULL REFERENCES etl_run (run_id),
    list_name      TEXT    NOT NULL,
    read_mode      TEXT    NOT NULL,
    items_read     INTEGER NOT NULL,
    items_changed  INTEGER NOT NULL,
    items_removed  INTEGER NOT NULL,
    items_rejected INTEGER NOT NULL,
    message        TEXT    NULL,
    PRIMARY KEY (run_id, list_name)
);

-- Grain: one row per list item change read: every new content of an item, and every removal.
CREATE TABLE raw_list_item (
    list_name         TEXT    NOT NULL,
    item_id           TEXT    NOT NULL,
    run_id            INTEGER NOT NULL REFERENCES etl_run (run_id),
    last_modified_utc TEXT    NULL,
    is_removed        INTEGER NOT NULL,
    content_sha256    TEXT    NOT NULL,
    fields_json       TEXT    NULL,
    PRIMARY KEY (list_name, item_id, run_id)
);

-- Grain: one row per item of the list Forvaltningsobjekt, its current valid content.
CREATE TABLE stg_list_object (
    item_id           TEXT    NOT NULL PRIMARY KEY,
    object_id         TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    manager_email     TEXT    NULL,
    unit              TEXT    NULL,
    last_modified_utc TEXT    NOT NULL,
    run_id            INTEGER NOT NULL
);

-- Grain: one row per item of the list Initiativ, its current valid content.
CREATE TABLE stg_list_initiative (
    item_id           TEXT    NOT NULL PRIMARY KEY,
    initiative_id     TEXT    NOT NULL,
    name              TEXT    NULL,
    unit              TEXT    NULL,
    phase             TEXT    NULL,
    initiative_type   TEXT    NULL,
    need_type         TEXT    NULL,
    object_id         TEXT    NULL,
    owner_email       TEXT    NULL,
    goal_codes        TEXT    NULL,
    hypothesis        TEXT    NULL,
    decision_date     TEXT    NULL,
    last_modified_utc TEXT    NOT NULL,
    run_id            INTEGER NOT NULL
);

-- Grain: one row per item of the list Bedomningar (initiative × criterion × assessment), its current valid content.
CREATE TABLE stg_list_assessment (
    item_id           TEXT    NOT NULL PRIMARY KEY,
    initiative_id     TEXT    NOT NULL,
    criterion_code    TEXT    NOT NULL,
    score             INTEGER NOT NULL,
    assessed_on       TEXT    NOT NULL,
    comment           TEXT    NULL,
    last_modified_utc TEXT    NOT NULL,
    run_id            INTEGER NOT NULL
);

-- Grain: one row per item of the list Projektstatus (initiative × report), its current valid content.
CREATE TABLE stg_list_status (
    item_id           TEXT    NOT NULL PRIMARY KEY,
    initiative_id     TEXT    NOT NULL,
    report_date       TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    percent_complete  REAL    NULL,
    budget_spent_sek  REAL    NULL,
    comment           TEXT    NULL,
    last_modified_utc TEXT    NOT NULL,
    run_id            INTEGER NOT NULL
);

-- Grain: one row per version of an initiative in the list Initiativ: a new version starts when its
-- phase, unit, förvaltningsobjekt or owner changes (type 2); other attributes update the open version.
CREATE TABLE dim_initiative_version (
    initiative_id   TEXT    NOT NULL,
    version_no      INTEGER NOT NULL,
    valid_from      TEXT    NOT NULL,
    valid_to        TEXT    NOT NULL,
    valid_from_utc  TEXT    NOT NULL,
    is_current      INTEGER NOT NULL,
    name            TEXT    NULL,
    unit            TEXT    NULL,
    phase           TEXT    NULL,
    initiative_type TEXT    NULL,
    need_type       TEXT    NULL,
    object_id       TEXT    NULL,
    owner_email     TEXT    NULL,
    goal_codes      TEXT    NULL,
    hypothesis      TEXT    NULL,
    decision_date   TEXT    NULL,
    item_id         TEXT    NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (initiative_id, version_no)
);

-- Grain: one row per initiative version as Power BI shows it: the list's versions with what only a
-- business case says filled in, and initiatives known only from a business case as one version.
CREATE TABLE dim_initiative_history (
    initiative_id   TEXT    NOT NULL,
    version_no      INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    phase           TEXT    NULL,
    initiative_type TEXT    NULL,
    need_type       TEXT    NULL,
    object_id       TEXT    NULL,
    owner_email     TEXT    NULL,
    hypothesis      TEXT    NULL,
    decision_date   TEXT    NULL,
    valid_from      TEXT    NOT NULL,
    valid_to        TEXT    NOT NULL,
    is_current      INTEGER NOT NULL,
    source          TEXT    NOT NULL,
    PRIMARY KEY (initiative_id, version_no)
);

ALTER TABLE dim_initiative ADD COLUMN source TEXT NULL;

-- Grain: one row per förvaltningsobjekt.
CREATE TABLE dim_object (
    object_id     TEXT NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL,
    manager_email TEXT NULL,
    unit          TEXT NULL,
    item_id       TEXT NOT NULL
);

-- Grain: one row per evaluation criterion (the eleven of Nacka's evaluation model).
CREATE TABLE dim_criterion (
    criterion_code  TEXT    NOT NULL PRIMARY KEY,
    criterion_name  TEXT    NOT NULL,
    criterion_group TEXT    NOT NULL,
    low_label       TEXT    NOT NULL,
    high_label      TEXT    NOT NULL,
    sort_order      INTEGER NOT NULL
);
INSERT INTO dim_criterion (criterion_code, criterion_name, criterion_group, low_label, high_label, sort_order) VALUES
    ('N1', 'Kostnadsbesparing / tidsbesparing', 'Nytta', 'Låg', 'Hög', 1),
    ('N2', 'Förbättrad kvalitet / användarupplevelse', 'Nytta', 'Låg', 'Hög', 2),
    ('N3', 'Tvingande / lagkrav', 'Nytta', 'Kan vänta', 'Brådskande', 3),
    ('N4', 'Följer styrdokument', 'Nytta', 'Låg', 'Hög', 4),
    ('G1', 'Tillgänglig kompetens', 'Genomförbarhet', 'Låg', 'Hög', 5),
    ('G2', 'Stöd från ledningen', 'Genomförbarhet', 'Låg', 'Hög', 6),
    ('G3', 'Projektets komplexitet', 'Genomförbarhet', 'Hög komplexitet', 'Låg komplexitet', 7),
    ('G4', 'Finansiering', 'Genomförbarhet', 'Låg', 'Hög', 8),
    ('G5', 'Objektsförvaltning', 'Genomförbarhet', 'Nej', 'Ja', 9),
    ('G6', 'Tekniskt stöd och arkitektur', 'Genomförbarhet', 'Låg', 'Hög', 10),
    ('G7', 'Regelefterlevnad (juridik, dataskydd, infosäk)', 'Genomförbarhet', 'Nej', 'Ja', 11);

-- Grain: one row per initiative, criterion and assessment date.
CREATE TABLE fct_evaluation_score (
    initiative_id  TEXT    NOT NULL,
    criterion_code TEXT    NOT NULL,
    assessed_on    TEXT    NOT NULL,
    score          INTEGER NOT NULL,
    item_id        TEXT    NOT NULL,
    run_id         INTEGER NOT NULL,
    PRIMARY KEY (initiative_id, criterion_code, assessed_on)
);

-- Grain: one row per initiative, its latest assessment.
CREATE TABLE fct_evaluation (
    initiative_id     TEXT    NOT NULL PRIMARY KEY,
    assessed_on       TEXT    NOT NULL,
    benefit_score     REAL    NULL,
    feasibility_score REAL    NULL,
    compliance_ok     INTEGER NULL,
    priority_class    TEXT    NOT NULL,
    criteria_scored   INTEGER NOT NULL,
    threshold         REAL    NOT NULL,
    run_id            INTEGER NOT NULL
);

-- Grain: one row per initiative and report date.
CREATE TABLE fct_project_status (
    initiative_id    TEXT    NOT NULL,
    report_date      TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    percent_complete REAL    NULL,
    budget_spent_sek REAL    NULL,
    is_latest        INTEGER NOT NULL,
    comment          TEXT    NULL,
    item_id          TEXT    NOT NULL,
    run_id           INTEGER NOT NULL,
    PRIMARY KEY (initiative_id, report_date)
);

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
