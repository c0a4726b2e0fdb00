"""Data collection: every way values come in (entry grid, imports, connectors, the API)
checks and writes them here (``data``); approval and locks (``approval``), undoing an import
(``undo``), what each person has to report, data quality and reminders (``reporting``),
exports (``export``) and previewed uploads (``uploads``)."""
