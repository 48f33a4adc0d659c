"""KPIs and aggregates, written in Ibis so they run on DuckDB, PostgreSQL and Spark."""
