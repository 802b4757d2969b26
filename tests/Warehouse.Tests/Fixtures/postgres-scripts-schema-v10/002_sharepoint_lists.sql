-- NackaInsights warehouse, version 2: the SharePoint lists. Their items land as read (raw_list_item),
-- their current valid content is kept per item (stg_list_*), and the initiative register becomes a
-- type 2 slowly changing dimension. Problems of list items name the list and the item.

ALTER TABLE etl_problem ADD COLUMN item_id text NULL;

-- Grain: one row per list, its reading state.
CREATE TABLE etl_list_state (
    list_name text NOT NULL PRIMARY KEY,
    delta_link text NULL,
    content_sha256 text NULL,
    last_run_id bigint NOT NULL REFERENCES etl_run (run_id),
    last_read_utc timestamp NOT NULL
);

-- Grain: one row per list read in a run.
CREATE TABLE etl_list_read (
    run_id bigint NOT NULL REFERENCES etl_run (run_id),
    list_name text NOT NULL,
    read_mode text NOT NULL,
    items_read integer NOT NULL,
    items_changed integer NOT NULL,
    items_removed integer NOT NULL,
    items_rejected integer NOT NULL,
    message text NULL,
    PRIMARY KEY (run_id, list_name)
);

-- Grain: one row per list item change read: every new content of an item, and every removal.
CREATE TABLE raw_list_item (
    list_name text NOT NULL,
    item_id text NOT NULL,
    run_id bigint NOT NULL REFERENCES etl_run (run_id),
    last_modified_utc timestamp NULL,
    is_removed smallint NOT NULL,
    content_sha256 text NOT NULL,
    fields_json text NULL,
    PRIMARY KEY (list_name, item_id, run_id)
);

-- Grain: one row per item of the list Forvaltningsobjekt, its current valid content.
CREATE TABLE stg_list_object (
    item_id text NOT NULL PRIMARY KEY,
    object_id text NOT NULL,
    name text NOT NULL,
    manager_email text NULL,
    unit text NULL,
    last_modified_utc timestamp NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Initiativ, its current valid content.
CREATE TABLE stg_list_initiative (
    item_id text NOT NULL PRIMARY KEY,
    initiative_id text NOT NULL,
    name text NULL,
    unit text NULL,
    phase text NULL,
    initiative_type text NULL,
    need_type text NULL,
    object_id text NULL,
    owner_email text NULL,
    goal_codes text NULL,
    hypothesis text NULL,
    decision_date date NULL,
    last_modified_utc timestamp NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Bedomningar (initiative × criterion × assessment), its current valid content.
CREATE TABLE stg_list_assessment (
    item_id text NOT NULL PRIMARY KEY,
    initiative_id text NOT NULL,
    criterion_code text NOT NULL,
    score integer NOT NULL,
    assessed_on date NOT NULL,
    comment text NULL,
    last_modified_utc timestamp NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Projektstatus (initiative × report), its current valid content.
CREATE TABLE stg_list_status (
    item_id text NOT NULL PRIMARY KEY,
    initiative_id text NOT NULL,
    report_date date NOT NULL,
    status text NOT NULL,
    percent_complete double precision    NULL,
    budget_spent_sek numeric(19,4) NULL,
    comment text NULL,
    last_modified_utc timestamp NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per version of an initiative in the list Initiativ: a new version starts when its
-- phase, unit, förvaltningsobjekt or owner changes (type 2); other attributes update the open version.
CREATE TABLE dim_initiative_version (
    initiative_id text NOT NULL,
    version_no integer NOT NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    valid_from_utc timestamp NOT NULL,
    is_current smallint NOT NULL,
    name text NULL,
    unit text NULL,
    phase text NULL,
    initiative_type text NULL,
    need_type text NULL,
    object_id text NULL,
    owner_email text NULL,
    goal_codes text NULL,
    hypothesis text NULL,
    decision_date date NULL,
    item_id text NOT NULL,
    run_id bigint NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (initiative_id, version_no)
);

-- Grain: one row per initiative version as Power BI shows it: the list's versions with what only a
-- business case says filled in, and initiatives known only from a business case as one version.
CREATE TABLE dim_initiative_history (
    initiative_id text NOT NULL,
    version_no integer NOT NULL,
    name text NOT NULL,
    unit text NOT NULL,
    phase text NULL,
    initiative_type text NULL,
    need_type text NULL,
    object_id text NULL,
    owner_email text NULL,
    hypothesis text NULL,
    decision_date date NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    is_current smallint NOT NULL,
    source text NOT NULL,
    PRIMARY KEY (initiative_id, version_no)
);

ALTER TABLE dim_initiative ADD COLUMN source text NULL;

-- Grain: one row per förvaltningsobjekt.
CREATE TABLE dim_object (
    object_id text NOT NULL PRIMARY KEY,
    name text NOT NULL,
    manager_email text NULL,
    unit text NULL,
    item_id text NOT NULL
);

-- Grain: one row per evaluation criterion (the eleven of Nacka's evaluation model).
CREATE TABLE dim_criterion (
    criterion_code text NOT NULL PRIMARY KEY,
    criterion_name text NOT NULL,
    criterion_group text NOT NULL,
    low_label text NOT NULL,
    high_label text NOT NULL,
    sort_order integer NOT NULL
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
    initiative_id text NOT NULL,
    criterion_code text NOT NULL,
    assessed_on date NOT NULL,
    score integer NOT NULL,
    item_id text NOT NULL,
    run_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, criterion_code, assessed_on)
);

-- Grain: one row per initiative, its latest assessment.
CREATE TABLE fct_evaluation (
    initiative_id text NOT NULL PRIMARY KEY,
    assessed_on date NOT NULL,
    benefit_score double precision    NULL,
    feasibility_score double precision    NULL,
    compliance_ok smallint NULL,
    priority_class text NOT NULL,
    criteria_scored integer NOT NULL,
    threshold double precision    NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per initiative and report date.
CREATE TABLE fct_project_status (
    initiative_id text NOT NULL,
    report_date date NOT NULL,
    status text NOT NULL,
    percent_complete double precision    NULL,
    budget_spent_sek numeric(19,4) NULL,
    is_latest smallint NOT NULL,
    comment text NULL,
    item_id text NOT NULL,
    run_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, report_date)
);

DROP VIEW pbi_etl_problem;
CREATE VIEW pbi_etl_problem AS
SELECT p.run_id, p.file_id, p.source_kind, p.source_name, p.sheet_name, p.cell, p.message, p.problem_id, p.item_id
FROM etl_problem p;

DROP VIEW pbi_dim_initiative;
CREATE VIEW pbi_dim_initiative AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date, source
FROM dim_initiative;

CREATE VIEW pbi_dim_initiative_history AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date,
       valid_from, valid_to, is_current, version_no, source
FROM dim_initiative_history;

CREATE VIEW pbi_dim_object AS
SELECT object_id, name, manager_email, unit FROM dim_object;

CREATE VIEW pbi_dim_criterion AS
SELECT criterion_code, criterion_name, criterion_group, low_label, high_label, sort_order FROM dim_criterion;

CREATE VIEW pbi_fct_evaluation_score AS
SELECT initiative_id, criterion_code, assessed_on, score, item_id, run_id FROM fct_evaluation_score;

CREATE VIEW pbi_fct_evaluation AS
SELECT initiative_id, assessed_on, benefit_score, feasibility_score, compliance_ok, priority_class, criteria_scored, threshold, run_id
FROM fct_evaluation;

CREATE VIEW pbi_fct_project_status AS
SELECT initiative_id, report_date, status, percent_complete, budget_spent_sek, is_latest, comment, item_id, run_id
FROM fct_project_status;

CREATE VIEW pbi_etl_list AS
SELECT run_id, list_name, read_mode, items_read, items_changed, items_removed, items_rejected, message
FROM etl_list_read;

GRANT SELECT ON
    pbi_etl_problem, pbi_dim_initiative, pbi_dim_initiative_history, pbi_dim_object, pbi_dim_criterion,
    pbi_fct_evaluation_score, pbi_fct_evaluation, pbi_fct_project_status, pbi_etl_list
TO nacka_insights_reader;
