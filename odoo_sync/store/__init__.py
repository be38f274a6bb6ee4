"""The integration's own tables in PostgreSQL: one module per table or concern, and the migrations."""
