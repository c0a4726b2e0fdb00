"""The stored values: writing observation versions with their history, and reading them
back (for evaluation and for a measure's data trail)."""
