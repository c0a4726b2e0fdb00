"""Admin pages of data collection: none (previewed uploads are private to their person and
expire by themselves)."""
