"""The task queue (Huey: SQLite in the data folder, or Redis), job records, training tasks."""
