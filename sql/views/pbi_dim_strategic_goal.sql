SELECT goal_code, goal_name, sort_order FROM dim_strategic_goal;
