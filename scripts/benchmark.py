#!/usr/bin/env python3
"""Speed and memory of the extraction, measured against pdfplumber's own text extraction.

Not a test (CI does not run it): it prints figures. For each document (the bundled samples,
plus ../shared/corpus final accounts and template when present, or the PDFs given), in a
fresh subprocess so peak memory is the document's own:

  extract s   whole ``extract_document`` (tables + narrative + metadata), best of --runs
  text s      pdfplumber ``extract_text`` over the same pages, best of --runs
  ratio       extract / text                                   target <= 1.5
  narrative   share of the extraction spent in the narrative stage (reading-order page text
              + figures), timed inside the same runs                target <= 20 %
  forms       share of the extraction spent on performance forms (when the document has any)
  traced MiB  tracemalloc peak during one extraction (Python allocations)
  RSS MiB     the subprocess's max resident set size (ru_maxrss, imports included)

Then a long document (the golden PDF's pages repeated --copies times) shows whether memory
stays flat as pages grow (pages are closed as they are read), and a long disclosure with forms
(~130 pages, 8 self-evaluation forms) shows the extra time the forms cost.

OCR (when the ocr extra is installed): a scan of --ocr-pages pages of the golden PDF
(tests/scans.py) is extracted once in its own subprocess: seconds per page (model loading
apart) and the process's peak RSS. A handful of pages: the machine is shared.

  .venv/bin/python scripts/benchmark.py [--runs 2] [--copies 10] [--no-long] [--ocr-pages 8 16 21] [PDF|DIR ...]
  .venv/bin/python scripts/benchmark.py --corpus other_cities --fast --no-long --gc-rounds 0 --ocr-pages

A folder (or --corpus NAME, a folder of ../shared/corpus) is measured PDF by PDF; the summary then
gives each document's ratio, the median and the worst, and names the documents past 1.5x. A
document with scanned pages (no text layer) is OCR'd by the extraction: it is measured once and
listed apart, since OCR time is not comparable to extract_text's.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
GOLDEN_PDF = SAMPLES / "上海市普陀区财政局2024年度部门决算.pdf"
CENTRAL_PDF = SHARED_CORPUS / "other_cities" / "central_国家信访局2024年度部门决算.pdf"


def corpus_documents() -> list[Path]:
    docs = sorted(SAMPLES.glob("*.pdf"))
    seen = {p.name for p in docs}
    for folder in (SHARED_CORPUS / "final_accounts", SHARED_CORPUS / "templates", SHARED_CORPUS / "budgets"):
        for p in sorted(folder.rglob("*.pdf")) if folder.is_dir() else []:
            if p.name not in seen:  # the samples are copies of corpus files
                docs.append(p)
                seen.add(p.name)
    return docs


TARGET_RATIO = 1.5  # extraction / extract_text, per document (issue 13's acceptance)


def expand(paths: list[Path]) -> list[Path]:
    """PDFs as given, folders replaced by the PDFs under them (sorted)."""
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf") if p.is_dir() else [p])
    return out


def scanned_pages(path: Path) -> int:
    """Pages without a text layer but with an image: what the extraction OCRs."""
    import pdfplumber

    n = 0
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                n += bool(not page.chars and page.images)
                page.close()
    except Exception:  # the child reports the document's own error
        return 0
    return n


def build_long_document(src: Path, copies: int, out: Path) -> Path:
    """The pages of ``src`` repeated ``copies`` times, as one PDF."""
    import pypdfium2

    source = pypdfium2.PdfDocument(str(src))
    long_doc = pypdfium2.PdfDocument.new()
    for _ in range(copies):
        long_doc.import_pages(source)
    long_doc.save(str(out))
    long_doc.close()
    source.close()
    return out


def build_forms_document(out: Path, copies: int) -> Path:
    """A long disclosure with forms: the central final accounts (4 self-evaluation forms over pages
    30–36), those form pages once more, then the golden PDF's pages ``copies // 3`` times: about
    130 pages and 8 forms for the default 10, like a Hubei disclosure with ten forms."""
    import pypdfium2

    central = pypdfium2.PdfDocument(str(CENTRAL_PDF))
    golden = pypdfium2.PdfDocument(str(GOLDEN_PDF))
    doc = pypdfium2.PdfDocument.new()
    doc.import_pages(central)
    doc.import_pages(central, list(range(29, 36)))
    for _ in range(max(1, copies // 3)):
        doc.import_pages(golden)
    doc.save(str(out))
    for d in (doc, central, golden):
        d.close()
    return out


def forms_long(copies: int) -> None:
    """The extra time performance forms cost on a long document (timed inside one extraction)."""
    with tempfile.TemporaryDirectory() as tmp:
        r = run_child(build_forms_document(Path(tmp) / "forms_long.pdf", copies), 1, quick=True)
    if "error" in r:
        print(f"\nforms on a long document: ERROR {r['error']}")
        return
    spent = r["forms_share"] * r["extract_s"]
    print(f"\nforms on a long document ({r['pages']} pages, {r['forms']} forms): extraction {r['extract_s']:.2f} s, "
          f"of which forms {spent:.2f} s ({100 * r['forms_share']:.1f} %)")


# ---- measuring one document (runs inside its own subprocess)


def _best(fn, runs: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def _text_only(path: Path) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n += len(page.extract_text() or "")
            page.close()
    return n


def _narrative_share(extract, path: Path, runs: int) -> float:
    """Time inside the narrative stage (reading-order page text + figures) over the whole extraction.

    Measured in the same runs by timing the two stage functions, not as the difference of two
    separate runs: on a loaded machine such a difference is mostly noise.
    """
    return _stage_share(extract, path, runs, [(extract, "page_text"), (extract, "extract_facts")])


def _forms_share(extract, path: Path, runs: int) -> float:
    """Time inside the performance-form stage (grids of form pages, text forms, records) over the extraction."""
    from extractors.performance_grid import PerformanceReader

    return _stage_share(extract, path, runs, [(PerformanceReader, "offer"), (extract, "pdf_forms"),
                                              (extract, "read_text_forms")])


def _stage_share(extract, path: Path, runs: int, targets: list[tuple[object, str]]) -> float:
    spent = [0.0]
    originals = {(owner, name): getattr(owner, name) for owner, name in targets}

    def timed(fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t
        return wrapper

    for (owner, name), fn in originals.items():
        setattr(owner, name, timed(fn))
    try:
        best = None
        for _ in range(runs):
            spent[0] = 0.0
            t = time.perf_counter()
            extract.extract_document(path)
            total = time.perf_counter() - t
            if best is None or total < best[0]:
                best = (total, spent[0])
    finally:
        for (owner, name), fn in originals.items():
            setattr(owner, name, fn)
    return best[1] / best[0]


WARM_UP_TEXT = SAMPLES / "wuhan_hongshan_housing_2023.txt"  # loads the narrative reader (jieba) in seconds


def measure(path: Path, runs: int, quick: bool, bare: bool = False, fast: bool = False) -> dict:
    from pipeline import extract

    if fast:  # ratio only: warm the imports and the jieba dictionary on a text file, no shares, no memory
        extract.extract_document(WARM_UP_TEXT)
        quick, bare = True, True
    if not quick:
        extract.extract_document(path)  # warm-up: imports, jieba dictionary, regex caches
    t_extract, result = _best(lambda: extract.extract_document(path), runs)
    t_text, _ = _best(lambda: _text_only(path), runs)
    row: dict = {
        "pages": result.document.pages, "status": result.document.status, "cells": len(result.cells),
        "doc_type": result.document.doc_type,
        "facts": len(result.facts), "extract_s": t_extract, "text_s": t_text, "narrative_share": None,
    }
    if not quick:
        row["narrative_share"] = _narrative_share(extract, path, runs)
    row["forms"] = len(result.forms)
    if bare:  # an OCR'd document: one extraction is all the time it is worth
        row.update(forms_share=0.0, traced_peak_mib=0.0,
                   max_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return row
    row["forms_share"] = _forms_share(extract, path, 1) if quick or row["forms"] else 0.0
    tracemalloc.start()
    extract.extract_document(path)
    row["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    row["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return row


def measure_gc(paths: list[Path], rounds: int) -> dict:
    """CPU of the extraction, and of the garbage collector inside it (timed by ``gc.callbacks``, a
    steadier figure than the totals on a noisy machine), with Python's default collector settings
    and with the extraction process's (``limits.tune_gc_for_extraction``), alternating in one
    process so that a slow spell of the machine hits both."""
    import gc

    from pipeline import extract
    from pipeline.limits import tune_gc_for_extraction

    for p in paths:
        extract.extract_document(p)  # warm-up
    default = gc.get_threshold()
    cpu = {"default": 0.0, "tuned": 0.0}
    in_gc = {"default": 0.0, "tuned": 0.0}
    mode, started = "default", [0.0]

    def timer(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            in_gc[mode] += time.process_time() - started[0]

    for r in range(rounds):
        for mode in ("default", "tuned") if r % 2 == 0 else ("tuned", "default"):
            if mode == "tuned":
                tune_gc_for_extraction()
            else:
                gc.unfreeze()
                gc.set_threshold(*default)
                gc.collect()
            gc.callbacks.append(timer)
            t = time.process_time()
            for p in paths:
                extract.extract_document(p)
                if mode == "tuned":
                    gc.collect()  # as the bounded worker does after each document
            cpu[mode] += time.process_time() - t
            gc.callbacks.remove(timer)
    return {"cpu": cpu, "gc": in_gc}


def measure_ocr(path: Path) -> dict:
    """One extraction of an all-scanned PDF: model loading, then seconds per page and peak memory."""
    from extractors.ocr_engine import rapid_engine
    from pipeline import extract

    t = time.perf_counter()
    rapid_engine()
    load_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    result = extract.extract_document(path)
    total, cpu = time.perf_counter() - t, time.process_time() - cpu
    pages = result.document.pages or 1
    return {"pages": result.document.pages, "status": result.document.status, "cells": len(result.cells),
            "facts": len(result.facts), "load_s": load_s, "per_page_s": total / pages, "cpu_per_page_s": cpu / pages,
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_ocr(pages: list[int]) -> None:
    from extractors.ocr_engine import ocr_available

    if not ocr_available():
        print("\nOCR: the ocr extra is not installed (pip install -e '.[ocr]'); skipped")
        return
    sys.path.insert(0, str(ROOT))
    from tests.scans import scan_pdf

    with tempfile.TemporaryDirectory() as tmp:
        scan = scan_pdf(GOLDEN_PDF, Path(tmp) / "scan.pdf", pages)
        cmd = [sys.executable, __file__, "--ocr-child", str(scan)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"\nOCR failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        return
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nOCR: scan of golden pages {pages} ({r['status']}, {r['cells']} cells, {r['facts']} facts): "
          f"{r['per_page_s']:.1f} s per page ({r['cpu_per_page_s']:.1f} s CPU, all threads), model loading "
          f"{r['load_s']:.1f} s, peak RSS {r['max_rss_mib']:.0f} MiB")


def run_child(path: Path, runs: int, quick: bool, bare: bool = False, fast: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), "--runs", str(runs)] + (["--quick"] if quick else []) \
        + (["--bare"] if bare else []) + (["--fast"] if fast else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- report


def _name(name: str, width: int = 44) -> str:
    """Cut and pad to a display width (CJK characters take two columns)."""
    out, used = "", 0
    for ch in name:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _fmt(x: float | None, pattern: str) -> str:
    return "-" if x is None else format(x, pattern)


def print_row(name: str, r: dict) -> None:
    if "error" in r:
        print(f"{_name(name)} ERROR {r['error']}")
        return
    ratio = r["extract_s"] / r["text_s"] if r["text_s"] else None
    share = None if r["narrative_share"] is None else 100 * r["narrative_share"]
    print(f"{_name(name)} {r['pages']!s:>5s} {r['status']:>9s} {r['extract_s']:9.2f} {r['text_s']:8.2f} "
          f"{_fmt(ratio, '6.2f'):>6s} {_fmt(share, '8.1f'):>8s}% {r['traced_peak_mib']:10.1f} {r['max_rss_mib']:8.0f}")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.child or args.ocr_child or args.gc_child:  # a measuring child: one JSON line for its parent
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_child_measure(args)))
        return 0
    if args.corpus:
        args.pdfs.append(SHARED_CORPUS / args.corpus)
    corpus_table(expand(args.pdfs) or corpus_documents(), args.runs, args.fast)
    if args.gc_rounds > 0:
        gc_comparison(args.gc_rounds)
    if args.ocr_pages and GOLDEN_PDF.exists():
        run_ocr(args.ocr_pages)
    if not args.no_long and CENTRAL_PDF.exists() and GOLDEN_PDF.exists():
        forms_long(args.copies)
    if not args.no_long and GOLDEN_PDF.exists():
        long_document(args.copies)
    return 0


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="*", type=Path, help="PDFs or folders of PDFs")
    ap.add_argument("--corpus", help="a folder of ../shared/corpus, e.g. other_cities")
    ap.add_argument("--runs", type=int, default=2, help="timed runs per measure; the best is kept")
    ap.add_argument("--copies", type=int, default=10, help="page repetitions of the long document")
    ap.add_argument("--no-long", action="store_true", help="skip the long document")
    ap.add_argument("--gc-rounds", type=int, default=6, help="alternating rounds of the GC comparison (0: skip)")
    ap.add_argument("--ocr-pages", type=int, nargs="*", default=[8, 16, 21],
                    help="golden pages scanned for the OCR figures (none: skip)")
    ap.add_argument("--ocr-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--gc-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--fast", action="store_true",
                    help="ratios only (best of --runs): warm-up on a text file, no stage shares or memory")
    return ap


def _child_measure(args: argparse.Namespace) -> dict:
    if args.child:
        return measure(args.child, args.runs, args.quick, args.bare, args.fast)
    if args.ocr_child:
        return measure_ocr(args.ocr_child)
    return measure_gc(args.pdfs, args.gc_rounds)


def corpus_table(docs: list[Path], runs: int, fast: bool) -> None:
    """One row per document (a scanned one OCR'd once, apart), then the ratios against the targets."""
    print(f"{'document':44s} {'pages':>5s} {'status':>9s} {'extract s':>9s} {'text s':>8s} {'ratio':>6s} "
          f"{'narrative':>9s} {'traced MiB':>10s} {'RSS MiB':>8s}")
    per_doc: list[tuple[str, float, dict]] = []
    ocr_docs: list[tuple[str, int, dict]] = []
    for doc in docs:
        if scanned := scanned_pages(doc):  # OCR: one run, not compared with extract_text
            r = run_child(doc, 1, quick=True, bare=True)
            print_row(doc.name, r)
            ocr_docs.append((doc.name, scanned, r))
            continue
        r = run_child(doc, runs, quick=False, fast=fast)
        print_row(doc.name, r)
        if "error" not in r and r["text_s"]:
            per_doc.append((doc.name, r["extract_s"] / r["text_s"], r))
    if per_doc:
        ratio_summary(per_doc, fast)
    for name, scanned, r in ocr_docs:
        if "error" not in r:
            print(f"OCR'd (not comparable): {name}: {scanned} scanned of {r['pages']} pages, extraction "
                  f"{r['extract_s']:.1f} s, extract_text {r['text_s']:.2f} s")


def ratio_summary(per_doc: list[tuple[str, float, dict]], fast: bool) -> None:
    """The worst ratio and narrative share against the targets, per family, and the documents past the target."""
    ratios = [ratio for _, ratio, _ in per_doc]
    shares = [r["narrative_share"] or 0.0 for _, _, r in per_doc]
    by_family: dict[str, list[float]] = {}
    for _, ratio, r in per_doc:
        by_family.setdefault(str(r.get("doc_type")), []).append(ratio)
    shares_note = "" if fast else f"; worst narrative share {100 * max(shares):.1f} % (target <= 20 %)"
    print(f"worst ratio {max(ratios):.2f} (target <= 1.5){shares_note}")
    for family, values in sorted(by_family.items()):
        print(f"  {family}: {len(values)} documents, extraction / extract_text median {statistics.median(values):.2f}, "
              f"worst {max(values):.2f}")
    print(f"per document (text layer): median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}")
    over = [(name, ratio, r) for name, ratio, r in per_doc if ratio > TARGET_RATIO]
    for name, ratio, r in over:
        print(f"  past {TARGET_RATIO}x: {name} {ratio:.2f} ({r['pages']} pages, narrative "
              f"{100 * (r['narrative_share'] or 0):.0f} %, forms {100 * r['forms_share']:.0f} %)")
    if not over:
        print(f"  every document within {TARGET_RATIO}x")


def gc_comparison(rounds: int) -> None:
    """The garbage collector's share of the extraction's CPU, default settings against the tuned ones."""
    samples = sorted(SAMPLES.glob("*.pdf"))
    cmd = [sys.executable, __file__, "--gc-child", "--gc-rounds", str(rounds), *map(str, samples)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"\ngarbage collector comparison failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        return
    r = json.loads(done.stdout.strip().splitlines()[-1])
    cpu, in_gc = r["cpu"], r["gc"]
    print(f"\ngarbage collector ({rounds} alternating rounds of the {len(samples)} sample PDFs): "
          f"{in_gc['default'] / cpu['default']:.1%} of the extraction's CPU with Python's default settings, "
          f"{in_gc['tuned'] / cpu['tuned']:.1%} with the extraction process's; whole extraction "
          f"{cpu['tuned'] / cpu['default']:.3f}x (noisy)")


def long_document(copies: int) -> None:
    """The golden PDF against its pages repeated ``copies`` times: time and memory as pages grow."""
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf = build_long_document(GOLDEN_PDF, copies, Path(tmp) / f"golden_x{copies}.pdf")
        short = run_child(GOLDEN_PDF, 1, quick=True)
        long = run_child(long_pdf, 1, quick=True)
    print(f"\nlong document: the golden PDF's pages x{copies} (one timed run each, no warm-up)")
    print_row(f"{GOLDEN_PDF.name} x1", short)
    print_row(f"{GOLDEN_PDF.name} x{copies}", long)
    if "error" not in short and "error" not in long:
        print(f"pages x{long['pages'] / short['pages']:.0f}: time x{long['extract_s'] / short['extract_s']:.1f}, "
              f"traced peak x{long['traced_peak_mib'] / short['traced_peak_mib']:.2f}, "
              f"RSS x{long['max_rss_mib'] / short['max_rss_mib']:.2f} (flat memory: close to x1)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
