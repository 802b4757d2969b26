-- scope: initiative_id
-- Grain: one row per initiative in the register, past or present: an accumulating snapshot of its way through the
-- phases (lifecycle.md). The dates are calendar dates in Stockholm time; a lead time in days is empty when either of
-- its dates is, or when the later date is before the earlier one. Days in the current phase depend on the day someone
-- looks, so Power BI and the report compute them from current_phase_since.
SELECT initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, entered_forvaltning_on,
       entered_avslutad_on, entered_avslagen_on, decided_on, days_to_decision, days_decision_to_project,
       days_project_to_forvaltning, days_to_forvaltning, current_phase, current_phase_since, phase_changes, went_back
FROM fct_initiative_lifecycle;
