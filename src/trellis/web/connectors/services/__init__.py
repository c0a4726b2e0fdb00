"""Database connectors: connections with their credentials and read-only sessions
(``connections``), and runs of their queries — on demand, tested or scheduled (``runs``)."""
