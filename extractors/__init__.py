"""PDF (and text) → tables and narrative. Nothing here knows about output files or flows."""
