SELECT date, year, quarter, month, month_name_sv, iso_week, day_of_week_sv, day_of_week
FROM dim_date;
