-- NackaInsights warehouse, version 20: how many items of a list its last read withheld for a key another item shares,
-- so that a run finding the list's offline file unchanged groups its staged items by their key again only when that
-- read found some, or the count is unknown (sql/sqlite/020_list_shared_keys.sql).

ALTER TABLE dbo.etl_list_state ADD shared_key_items int NULL;
GO
