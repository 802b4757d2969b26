-- NackaInsights warehouse, version 20: how many items of a list its last read withheld for a key another item shares
-- (issue 21). Every run that takes a list in reports such keys while they last, and for an offline list file unchanged
-- since it was read, that meant grouping the list's staged items by their key again: at scale 4 (8,000 initiatives,
-- 88,000 assessments, 60,000 status reports) about 60 ms of every small run, growing with the warehouse. The staged
-- items of an unchanged list are those its last read left, so that read's count says whether there is anything to find:
-- none, and the grouping is skipped; some, or unknown (NULL: a list read before this version, or a run that folded the
-- stored spellings of keys, which can make two items share one), and it is grouped as before, and an unknown count
-- recorded.

ALTER TABLE etl_list_state ADD COLUMN shared_key_items INTEGER NULL;
