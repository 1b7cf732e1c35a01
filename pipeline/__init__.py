"""Stages of the juesuan pipeline: plain typed functions, testable without Prefect."""

EXTRACTOR_VERSION = "0.1.0"
