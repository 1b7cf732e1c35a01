from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"
GOLDEN_PDF = SAMPLES / "上海市普陀区财政局2024年度部门决算.pdf"
SOCIAL_WORK_PDF = SAMPLES / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
WUHAN_TXT = SAMPLES / "wuhan_hongshan_housing_2023.txt"
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def golden_extraction():
    """The golden document extracted once per test session."""
    from pipeline.extract import extract_document

    return extract_document(GOLDEN_PDF)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API (SQLite) for every flow test in the session; yields its URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()


@pytest.fixture
def portal():
    """The mock district portal on loopback (tests/mock_portal.py), for the scrape and flow tests."""
    from tests.mock_portal import DistrictPortal

    with DistrictPortal() as p:
        yield p
