"""Layout-variant final-account PDFs generated from the golden values (see make_variants.py)."""
