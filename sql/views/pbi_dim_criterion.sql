SELECT criterion_code, criterion_name, criterion_group, low_label, high_label, sort_order FROM dim_criterion;
