"""Shared fixtures, and the ``shared`` marker: every test that reads ../shared (the real corpus,
golden files, scorer, portal pages) is marked at collection, fails with a clear message when
../shared is missing (CI has it: a silent skip would hide the core tests), and is counted in the
terminal summary."""

from __future__ import annotations

import inspect
from collections import Counter
from functools import cache
from pathlib import Path
from types import CodeType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"
GOLDEN_PDF = SAMPLES / "上海市普陀区财政局2024年度部门决算.pdf"
SOCIAL_WORK_PDF = SAMPLES / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
WUHAN_TXT = SAMPLES / "wuhan_hongshan_housing_2023.txt"
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures"


@cache
def extracted(path: Path):
    """One document extracted once per test session, whichever modules read it (an extraction of a real
    document takes seconds: every test of the document shares it). The records are shared: never mutate them."""
    from pipeline.extract import extract_document

    return extract_document(Path(path))


@cache
def checked(path: Path):
    """``extracted(path)`` as a dataset with its checks and quality columns (``check_dataset``), once per session."""
    from pipeline.assemble import check_dataset, dataset_of

    return check_dataset(dataset_of([extracted(path)]))


@pytest.fixture(scope="session")
def golden_extraction():
    """The golden document extracted once per test session."""
    return extracted(GOLDEN_PDF)


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


# --- the `shared` marker ------------------------------------------------------------------

SHARED_MISSING = (
    f"{SHARED} is missing: this test reads the shared corpus, golden files, scorer or portal pages, "
    "which CI places beside the checkout (put that folder there, or leave these tests out with -m 'not shared')"
)
TESTS = ROOT / "tests"


def _shared_value(value: object) -> bool:
    """A path under ../shared, or a list, tuple or dict holding one (a table of corpus files)."""
    if isinstance(value, Path):
        return value.is_absolute() and value.is_relative_to(SHARED)
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, Path) and _shared_value(v) for v in value)
    if isinstance(value, dict):
        return any(isinstance(v, Path) and _shared_value(v) for v in value.values())
    return False


def _code_parts(code: CodeType) -> tuple[set[str], set[object]]:
    """The global names and constants a code object uses, its nested functions' included."""
    names, consts = set(code.co_names), set()
    for c in code.co_consts:
        if isinstance(c, CodeType):
            n, k = _code_parts(c)
            names |= n
            consts |= k
        elif isinstance(c, str):
            consts.add(c)
    return names, consts


def _ours(obj: object) -> bool:
    """Defined in a module of tests/ (our helpers are followed; libraries are not)."""
    try:
        source = inspect.getsourcefile(obj)  # type: ignore[arg-type]
    except TypeError:
        return False
    return source is not None and Path(source).resolve().is_relative_to(TESTS)


_USES: dict[int, bool] = {}


def _uses_shared(obj: object) -> bool:
    """Whether a test, fixture, helper or helper class reaches ../shared: through a global path under
    it, a helper that does, or a path spelled in place (``... / "shared"``)."""
    obj = getattr(obj, "__func__", obj)  # methods, static and class methods
    if callable(obj) and hasattr(obj, "__wrapped__"):  # functools.cache, wraps
        obj = inspect.unwrap(obj)
    if _shared_value(obj):
        return True
    if id(obj) in _USES:
        return _USES[id(obj)]
    _USES[id(obj)] = False  # a cycle (helpers calling each other) adds nothing
    if inspect.isclass(obj):
        members = [getattr(m, "fget", m) for m in vars(obj).values()]
        found = _ours(obj) and any(_uses_shared(m) for m in members if callable(m) or inspect.isfunction(m))
    elif inspect.isfunction(obj) and _ours(obj):
        func = obj
        names, consts = _code_parts(func.__code__)
        found = "shared" in consts or any(_uses_shared(func.__globals__[n]) for n in names if n in func.__globals__)
        found = found or any(_uses_shared(c.cell_contents) for c in func.__closure__ or () if c.cell_contents)
    else:
        found = False
    _USES[id(obj)] = found
    return found


def _reads_shared(item: pytest.Item) -> bool:
    if _uses_shared(getattr(item, "function", None)):
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(_shared_value(v) for v in callspec.params.values()):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixture in (info.name2fixturedefs.get(name, ()) if info else ()):
            if _uses_shared(fixture.func):
                return True
    # parametrized over a listing of ../shared that came out empty (the folder is missing)
    skip = item.get_closest_marker("skip")
    module = getattr(item, "module", None)
    return (skip is not None and "empty parameter set" in str(skip.kwargs.get("reason", ""))
            and module is not None and any(_shared_value(v) for v in vars(module).values()))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _reads_shared(item):
            item.add_marker(pytest.mark.shared)


@pytest.hookimpl(tryfirst=True)  # before skipif/skip: a missing ../shared is an error, not a skip
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") is not None and not SHARED.is_dir():
        pytest.fail(SHARED_MISSING, pytrace=False)


_WORST = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many tests that read ../shared ran, and how they ended."""
    ended: dict[str, str] = {}
    for reports in terminalreporter.stats.values():
        for r in reports:
            if not isinstance(r, pytest.TestReport) or "shared" not in r.keywords:
                continue
            if r.when == "call" or r.outcome != "passed":
                what = "error" if r.when != "call" and r.outcome == "failed" else r.outcome
                if _WORST[what] > _WORST.get(ended.get(r.nodeid, ""), -1):
                    ended[r.nodeid] = what
    if ended:
        counts = Counter(ended.values())
        details = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        terminalreporter.write_sep("-", f"../shared: {counts['passed'] + counts['failed']} tests ran that read it ({details})")
