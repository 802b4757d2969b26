-- scope: initiative_id
SELECT initiative_id, goal_code FROM bridge_initiative_goal;
