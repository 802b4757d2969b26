-- NackaInsights warehouse, version 2: the SharePoint lists. Their items land as read (raw_list_item),
-- their current valid content is kept per item (stg_list_*), and the initiative register becomes a
-- type 2 slowly changing dimension. Problems of list items name the list and the item.

ALTER TABLE dbo.etl_problem ADD item_id nvarchar(100) NULL;

-- Grain: one row per list, its reading state.
CREATE TABLE dbo.etl_list_state (
    list_name nvarchar(100) NOT NULL PRIMARY KEY,
    delta_link nvarchar(4000) NULL,
    content_sha256 nvarchar(64) NULL,
    last_run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    last_read_utc datetime2(3) NOT NULL
);

-- Grain: one row per list read in a run.
CREATE TABLE dbo.etl_list_read (
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    list_name nvarchar(100) NOT NULL,
    read_mode nvarchar(20) NOT NULL,
    items_read int NOT NULL,
    items_changed int NOT NULL,
    items_removed int NOT NULL,
    items_rejected int NOT NULL,
    message nvarchar(max) NULL,
    PRIMARY KEY (run_id, list_name)
);

-- Grain: one row per list item change read: every new content of an item, and every removal.
CREATE TABLE dbo.raw_list_item (
    list_name nvarchar(100) NOT NULL,
    item_id nvarchar(100) NOT NULL,
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    last_modified_utc datetime2(3) NULL,
    is_removed smallint NOT NULL,
    content_sha256 nvarchar(64) NOT NULL,
    fields_json nvarchar(max) NULL,
    PRIMARY KEY (list_name, item_id, run_id)
);

-- Grain: one row per item of the list Forvaltningsobjekt, its current valid content.
CREATE TABLE dbo.stg_list_object (
    item_id nvarchar(100) NOT NULL PRIMARY KEY,
    object_id nvarchar(100) NOT NULL,
    name nvarchar(400) NOT NULL,
    manager_email nvarchar(320) NULL,
    unit nvarchar(200) NULL,
    last_modified_utc datetime2(3) NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Initiativ, its current valid content.
CREATE TABLE dbo.stg_list_initiative (
    item_id nvarchar(100) NOT NULL PRIMARY KEY,
    initiative_id nvarchar(100) NOT NULL,
    name nvarchar(400) NULL,
    unit nvarchar(200) NULL,
    phase nvarchar(40) NULL,
    initiative_type nvarchar(40) NULL,
    need_type nvarchar(40) NULL,
    object_id nvarchar(100) NULL,
    owner_email nvarchar(320) NULL,
    goal_codes nvarchar(400) NULL,
    hypothesis nvarchar(4000) NULL,
    decision_date date NULL,
    last_modified_utc datetime2(3) NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Bedomningar (initiative × criterion × assessment), its current valid content.
CREATE TABLE dbo.stg_list_assessment (
    item_id nvarchar(100) NOT NULL PRIMARY KEY,
    initiative_id nvarchar(100) NOT NULL,
    criterion_code nvarchar(10) NOT NULL,
    score int NOT NULL,
    assessed_on date NOT NULL,
    comment nvarchar(4000) NULL,
    last_modified_utc datetime2(3) NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per item of the list Projektstatus (initiative × report), its current valid content.
CREATE TABLE dbo.stg_list_status (
    item_id nvarchar(100) NOT NULL PRIMARY KEY,
    initiative_id nvarchar(100) NOT NULL,
    report_date date NOT NULL,
    status nvarchar(20) NOT NULL,
    percent_complete float NULL,
    budget_spent_sek decimal(19,4) NULL,
    comment nvarchar(4000) NULL,
    last_modified_utc datetime2(3) NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per version of an initiative in the list Initiativ: a new version starts when its
-- phase, unit, förvaltningsobjekt or owner changes (type 2); other attributes update the open version.
CREATE TABLE dbo.dim_initiative_version (
    initiative_id nvarchar(100) NOT NULL,
    version_no int NOT NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    valid_from_utc datetime2(3) NOT NULL,
    is_current smallint NOT NULL,
    name nvarchar(400) NULL,
    unit nvarchar(200) NULL,
    phase nvarchar(40) NULL,
    initiative_type nvarchar(40) NULL,
    need_type nvarchar(40) NULL,
    object_id nvarchar(100) NULL,
    owner_email nvarchar(320) NULL,
    goal_codes nvarchar(400) NULL,
    hypothesis nvarchar(4000) NULL,
    decision_date date NULL,
    item_id nvarchar(100) NOT NULL,
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (initiative_id, version_no)
);

-- Grain: one row per initiative version as Power BI shows it: the list's versions with what only a
-- business case says filled in, and initiatives known only from a business case as one version.
CREATE TABLE dbo.dim_initiative_history (
    initiative_id nvarchar(100) NOT NULL,
    version_no int NOT NULL,
    name nvarchar(400) NOT NULL,
    unit nvarchar(200) NOT NULL,
    phase nvarchar(40) NULL,
    initiative_type nvarchar(40) NULL,
    need_type nvarchar(40) NULL,
    object_id nvarchar(100) NULL,
    owner_email nvarchar(320) NULL,
    hypothesis nvarchar(4000) NULL,
    decision_date date NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    is_current smallint NOT NULL,
    source nvarchar(40) NOT NULL,
    PRIMARY KEY (initiative_id, version_no)
);

ALTER TABLE dbo.dim_initiative ADD source nvarchar(40) NULL;
GO

-- Grain: one row per förvaltningsobjekt.
CREATE TABLE dbo.dim_object (
    object_id nvarchar(100) NOT NULL PRIMARY KEY,
    name nvarchar(400) NOT NULL,
    manager_email nvarchar(320) NULL,
    unit nvarchar(200) NULL,
    item_id nvarchar(100) NOT NULL
);

-- Grain: one row per evaluation criterion (the eleven of Nacka's evaluation model).
CREATE TABLE dbo.dim_criterion (
    criterion_code nvarchar(10) NOT NULL PRIMARY KEY,
    criterion_name nvarchar(200) NOT NULL,
    criterion_group nvarchar(40) NOT NULL,
    low_label nvarchar(40) NOT NULL,
    high_label nvarchar(40) NOT NULL,
    sort_order int NOT NULL
);
INSERT INTO dbo.dim_criterion (criterion_code, criterion_name, criterion_group, low_label, high_label, sort_order) VALUES
    (N'N1', N'Kostnadsbesparing / tidsbesparing', N'Nytta', N'Låg', N'Hög', 1),
    (N'N2', N'Förbättrad kvalitet / användarupplevelse', N'Nytta', N'Låg', N'Hög', 2),
    (N'N3', N'Tvingande / lagkrav', N'Nytta', N'Kan vänta', N'Brådskande', 3),
    (N'N4', N'Följer styrdokument', N'Nytta', N'Låg', N'Hög', 4),
    (N'G1', N'Tillgänglig kompetens', N'Genomförbarhet', N'Låg', N'Hög', 5),
    (N'G2', N'Stöd från ledningen', N'Genomförbarhet', N'Låg', N'Hög', 6),
    (N'G3', N'Projektets komplexitet', N'Genomförbarhet', N'Hög komplexitet', N'Låg komplexitet', 7),
    (N'G4', N'Finansiering', N'Genomförbarhet', N'Låg', N'Hög', 8),
    (N'G5', N'Objektsförvaltning', N'Genomförbarhet', N'Nej', N'Ja', 9),
    (N'G6', N'Tekniskt stöd och arkitektur', N'Genomförbarhet', N'Låg', N'Hög', 10),
    (N'G7', N'Regelefterlevnad (juridik, dataskydd, infosäk)', N'Genomförbarhet', N'Nej', N'Ja', 11);

-- Grain: one row per initiative, criterion and assessment date.
CREATE TABLE dbo.fct_evaluation_score (
    initiative_id nvarchar(100) NOT NULL,
    criterion_code nvarchar(10) NOT NULL,
    assessed_on date NOT NULL,
    score int NOT NULL,
    item_id nvarchar(100) NOT NULL,
    run_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, criterion_code, assessed_on)
);

-- Grain: one row per initiative, its latest assessment.
CREATE TABLE dbo.fct_evaluation (
    initiative_id nvarchar(100) NOT NULL PRIMARY KEY,
    assessed_on date NOT NULL,
    benefit_score float NULL,
    feasibility_score float NULL,
    compliance_ok smallint NULL,
    priority_class nvarchar(60) NOT NULL,
    criteria_scored int NOT NULL,
    threshold float NOT NULL,
    run_id bigint NOT NULL
);

-- Grain: one row per initiative and report date.
CREATE TABLE dbo.fct_project_status (
    initiative_id nvarchar(100) NOT NULL,
    report_date date NOT NULL,
    status nvarchar(20) NOT NULL,
    percent_complete float NULL,
    budget_spent_sek decimal(19,4) NULL,
    is_latest smallint NOT NULL,
    comment nvarchar(4000) NULL,
    item_id nvarchar(100) NOT NULL,
    run_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, report_date)
);

GO

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
