"""The event store on SQLite and PostgreSQL, the insights tables, the page and the CLI."""
