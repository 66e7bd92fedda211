"""Words the user reads, defined once: the lowest layer, importable by every other."""
