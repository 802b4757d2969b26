SELECT year FROM dim_year;
