"""The Docker engine: one connection, one snapshot per run, typed views of what it holds."""
