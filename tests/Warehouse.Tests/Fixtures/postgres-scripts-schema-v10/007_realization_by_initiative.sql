-- NackaInsights warehouse, version 7: a run that changed a few initiatives' business cases or actuals
-- rebuilds only their realisation, and checks only their rows: both find them by initiative.
CREATE INDEX ix_fct_benefit_realization_initiative ON fct_benefit_realization (initiative_id);
