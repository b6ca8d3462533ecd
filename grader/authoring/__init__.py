"""For exercise authors: ``validate`` a pack without an engine, scaffold one with ``new``, and
prove it with ``selftest`` (the reference solution scores full, each mistake as it says)."""
