-- lookups: dim_phase
-- scope: initiative_id
-- Grain: one row per initiative and version of its list item; phase_order as in pbi_dim_initiative.
SELECT h.initiative_id, h.name, h.unit, h.phase, h.initiative_type, h.need_type, h.object_id, h.owner_email, h.hypothesis,
       h.decision_date, h.valid_from, h.valid_to, h.is_current, h.version_no, h.source, COALESCE(p.phase_order, 99) AS phase_order
FROM dim_initiative_history h
LEFT JOIN dim_phase p ON p.phase = h.phase;
