"""Stages of the juesuan pipeline: plain typed functions, testable without Prefect."""

EXTRACTOR_VERSION = "0.2.0"  # 0.2: budget tables, performance forms, disclosures
