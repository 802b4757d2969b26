-- lookups: dim_object, dim_phase
-- scope: initiative_id
-- Grain: one row per initiative.
-- phase_order: the phase's place in the process (dim_phase), so that the model sorts Fas in process order;
-- a phase the process does not name sorts last (99).
-- object_key: the initiative's object where pbi_dim_object has it, else '(inget)', the row the model adds to
-- Förvaltningsobjekt. Once a role filters that table, an initiative whose key found no visible row would be
-- hidden with it; computing the key here keeps the model's queries plain (and foldable).
SELECT i.initiative_id, i.name, i.unit, i.phase, i.initiative_type, i.need_type, i.object_id, i.owner_email, i.hypothesis,
       i.decision_date, i.source, COALESCE(p.phase_order, 99) AS phase_order,
       CASE WHEN EXISTS (SELECT 1 FROM dim_object o WHERE o.object_id = i.object_id) THEN i.object_id ELSE '(inget)' END AS object_key
FROM dim_initiative i
LEFT JOIN dim_phase p ON p.phase = i.phase;
