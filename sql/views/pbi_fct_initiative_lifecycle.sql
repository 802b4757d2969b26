-- scope: initiative_id
-- Grain: one row per initiative in the register, past or present: an accumulating snapshot of its way through the
-- phases (lifecycle.md), built from pbi_dim_initiative_history by InitiativeLifecycleMart. The dates are calendar dates
-- in Stockholm time. registered_on is the list item's createdDateTime where the list gave it, else the start of the
-- first version; entered_*_on the start of the first version in that phase (empty if never in it: a skipped phase);
-- decided_on the current version's Beslutsdatum, else entered_beslutad_on. A lead time in days is empty when either of
-- its dates is, or when the later date is before the earlier one. current_phase is that of the current version (of the
-- last one for an initiative gone from the list), as pbi_dim_initiative shows it; empty where that version names none.
-- A version without a phase is passed over: no change, no break in the current stretch. A phase the process does not
-- name counts as a change but is never back or forth: went_back compares the named phases on either side of it, so
-- where went_back = 0 the entered dates follow the process's order (a data check holds it). Days in the current phase
-- depend on the day someone looks, so Power BI and the report compute them from current_phase_since, and a run with
-- nothing new writes nothing here.
SELECT initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, entered_forvaltning_on,
       entered_avslutad_on, entered_avslagen_on, decided_on, days_to_decision, days_decision_to_project,
       days_project_to_forvaltning, days_to_forvaltning, current_phase, current_phase_since, phase_changes, went_back
FROM fct_initiative_lifecycle;
