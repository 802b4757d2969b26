-- NackaInsights warehouse, version 17: the keys no two current items of the lists Bedomningar and Projektstatus may
-- share (ListSharedKeys), indexed (issue 21). Every run that takes either list in, read or unchanged, groups the list
-- by that key to find the items that share one, and every run that names a key reads the initiative ids these lists
-- hold (RunKeys): without an index each was a scan of the whole table and a sort. A one-changed-workbook run at scale 4
-- (88,000 assessments, 60,000 status reports), 3 runs each: the two unchanged lists 130-160 ms -> 27 ms of CPU, the
-- stored keys 166-184 ms -> 104-135 ms.

CREATE INDEX ix_stg_list_assessment_key ON stg_list_assessment (initiative_id, criterion_code, assessed_on);
CREATE INDEX ix_stg_list_status_key ON stg_list_status (initiative_id, report_date);
