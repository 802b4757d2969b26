-- NackaInsights warehouse, version 21: whether the stored spellings of the keys are one per key (issue 21). A run spells
-- each initiative id, unit and object id as the warehouse already stores it, and to know that it read every stored
-- spelling of the three, 19 SELECT DISTINCTs over the lists, dimensions and facts: at scale 4 (8,000 initiatives,
-- 88,000 assessments, 80,000 actuals) 60-90 ms of every small run, growing with the warehouse. Only a warehouse loaded
-- before keys were folded (December 2026) can hold one key in two spellings, and the first run to read them all folds
-- them to one. This row records that run. From then on a run looks a key up exactly, in its dimension, and reads every
-- spelling only when one is not there (a new key, or one spelled otherwise); a run with no key to spell reads none. An
-- upgraded warehouse has no row, so its first run reads them all and folds them, as before.

-- Grain: at most one row, the run that first read every stored spelling and left one of each key.
CREATE TABLE etl_key_fold (
    run_id INTEGER NOT NULL PRIMARY KEY REFERENCES etl_run (run_id)
);
