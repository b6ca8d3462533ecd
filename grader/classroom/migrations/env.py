"""Alembic's entry: migrations run on the connection ``store.migrate`` hands over."""

from alembic import context

from grader.classroom.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
