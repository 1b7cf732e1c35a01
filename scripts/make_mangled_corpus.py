"""Generate a corpus of mangled PDFs to prove that extraction never crashes, hangs or blows up.

    python scripts/make_mangled_corpus.py OUT [--n 200] [--seed 0] [--pages 4] [SEED_PDF ...]

Seeds are the first pages of the bundled samples (or the PDFs given). Each output file is one
seed with one kind of damage: truncation, byte flips, a removed or blanked object, a broken
xref/trailer, shuffled blocks, garbage around the file, or a hand-built PDF with deep nesting,
reference cycles, absurd counts and lengths. Deterministic for a given seed; every file's
content is distinct (so each gets its own row in documents.csv). Then:

    juesuan extract OUT --out /tmp/mangled-clean --fresh
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"

_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b.*?endobj", re.S)


def spread(n_pages: int, keep: int) -> list[int]:
    """``keep`` page indexes spread over the document: cover, tables and narrative alike."""
    if keep >= n_pages or keep < 2:
        return list(range(min(keep, n_pages) or 1))
    return sorted({round(k * (n_pages - 1) / (keep - 1)) for k in range(keep)})


def seed_pdfs(sources: list[Path], pages: int) -> list[bytes]:
    """``pages`` pages of each source, re-saved (plain objects, a classic xref table)."""
    import pypdfium2 as pdfium

    seeds = []
    for src in sources:
        doc = pdfium.PdfDocument(str(src))
        out = pdfium.PdfDocument.new()
        out.import_pages(doc, spread(len(doc), pages))
        buf = io.BytesIO()
        out.save(buf)
        seeds.append(buf.getvalue())
        out.close()
        doc.close()
    return seeds


# --- damage to a real PDF ----------------------------------------------------------------

def truncate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    frac = rng.uniform(0.02, 0.995)
    return f"truncate{frac:.3f}", data[: int(len(data) * frac)]


def flip_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    n = rng.choice((1, 3, 10, 50, 300))
    buf = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(buf))
        buf[i] ^= rng.randrange(1, 256)
    return f"flip{n}", bytes(buf)


def remove_object(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    objs = list(_OBJ.finditer(data))
    m = rng.choice(objs)
    return "remove_obj", data[: m.start()] + data[m.end():]


def blank_object(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """Overwrite one object with spaces: offsets stay right, the reference dangles."""
    objs = list(_OBJ.finditer(data))
    m = rng.choice(objs)
    return "blank_obj", data[: m.start()] + b" " * (m.end() - m.start()) + data[m.end():]


def break_xref(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    how = rng.choice(("no_xref", "no_trailer", "bad_startxref", "shifted"))
    if how == "no_xref":
        i = data.rfind(b"xref")
        return how, data[:i] + b"%%EOF\n" if i > 0 else data + b"x"
    if how == "no_trailer":
        return how, data.replace(b"trailer", b"tr4iler")
    if how == "bad_startxref":
        return how, re.sub(rb"startxref\s+\d+", b"startxref\n999999999", data)
    return how, b"\n" * rng.randrange(1, 5000) + data  # every offset is now wrong


def shuffle_blocks(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    size = max(64, len(data) // rng.choice((8, 32, 128)))
    blocks = [data[i: i + size] for i in range(0, len(data), size)]
    i, j = rng.randrange(len(blocks)), rng.randrange(len(blocks))
    blocks[i], blocks[j] = blocks[j], blocks[i]
    return f"swap{size}", b"".join(blocks)


def garbage_around(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
    return ("garbage_after", data + junk) if rng.random() < 0.5 else ("garbage_before", junk + data)


def zero_streams(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """Corrupt the compressed bytes inside one stream (a damaged Flate stream)."""
    starts = [m.end() for m in re.finditer(rb"stream\r?\n", data)]
    if not starts:
        return flip_bytes(data, rng)
    s = rng.choice(starts)
    n = min(200, len(data) - s)
    return "bad_stream", data[:s] + bytes(rng.randrange(256) for _ in range(n)) + data[s + n:]


DAMAGE: tuple[Callable[[bytes, random.Random], tuple[str, bytes]], ...] = (
    truncate, flip_bytes, remove_object, blank_object, break_xref, shuffle_blocks, garbage_around, zero_streams,
)


# --- hand-built pathological PDFs --------------------------------------------------------

def build_pdf(objects: list[bytes], root: int = 1, tag: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n%" + tag + b"\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def _stream(content: bytes, compress: bool = False) -> bytes:
    if compress:
        content = zlib.compress(content)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


def _page_pdf(content: bytes, resources: bytes = b"<< >>", extra: bytes = b"") -> bytes:
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources
        + b" /Contents 4 0 R" + extra + b" >>",
        _stream(content),
    ])


def pathological(rng: random.Random) -> tuple[str, bytes]:
    label, data = _pathological(rng)
    # a unique comment after the header: two files of the same shape still differ
    return label, data.replace(b"\n", b"\n%%case-%d\n" % rng.randrange(10**9), 1)


def _pathological(rng: random.Random) -> tuple[str, bytes]:
    depth = rng.choice((200, 2000, 20000, 100000))
    kind = rng.choice(("nested_array_content", "nested_dict_resources", "nested_array_catalog", "kids_cycle",
                       "parent_cycle", "huge_count", "huge_length", "ref_chain", "many_pages_empty"))
    if kind == "nested_array_content":
        return f"{kind}{depth}", _page_pdf(b"[" * depth + b"1" + b"]" * depth + b" pop\nBT /F1 12 Tf (x) Tj ET")
    if kind == "nested_dict_resources":
        return f"{kind}{depth}", _page_pdf(b"0 0 m", resources=b"<< /A " * depth + b"1" + b" >>" * depth)
    if kind == "nested_array_catalog":
        return f"{kind}{depth}", build_pdf([
            b"<< /Type /Catalog /Pages 2 0 R /Junk " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", _stream(b"0 0 m"),
        ])
    if kind == "kids_cycle":
        return kind, build_pdf([
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
        ])
    if kind == "parent_cycle":
        return kind, build_pdf([
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 2 0 R >>",
            _stream(b"0 0 m"),
        ])
    if kind == "huge_count":
        return kind, build_pdf([
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", _stream(b"0 0 m"),
        ])
    if kind == "huge_length":
        return kind, build_pdf([
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 99999999999 >>\nstream\n0 0 m\nendstream",
        ])
    if kind == "ref_chain":
        n = min(depth, 5000)
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 5 0 R >>",
                _stream(b"0 0 m")]
        objs += [b"%d 0 R" % (6 + i) for i in range(n)] + [b"<< >>"]
        return f"{kind}{n}", build_pdf(objs)
    n = rng.choice((50, 500))
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for _ in range(n)]
    return f"{kind}{n}", build_pdf(objs)


def make_corpus(out: Path, n: int = 200, seed: int = 0, sources: list[Path] | None = None,
                pages: int = 4) -> list[Path]:
    """Write ``n`` distinct mangled PDFs into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sources = sources or sorted(SAMPLES.glob("*.pdf"))
    seeds = seed_pdfs(sources, pages)
    seen: set[str] = set()
    paths: list[Path] = []
    attempts = 0
    while len(paths) < n and attempts < n * 20:
        attempts += 1
        i = len(paths)
        if i % 8 == 7:
            label, data = pathological(rng)
            origin = "built"
        else:
            s = rng.randrange(len(seeds))
            label, data = rng.choice(DAMAGE)(seeds[s], rng)
            origin = f"seed{s}"
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        path = out / f"m{i:03d}_{origin}_{label}.pdf"
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("sources", type=Path, nargs="*", help="seed PDFs (default: data/raw/samples/*.pdf)")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pages", type=int, default=4, help="pages kept from each seed PDF")
    args = ap.parse_args()
    paths = make_corpus(args.out, args.n, args.seed, args.sources or None, args.pages)
    print(f"{len(paths)} mangled PDFs → {args.out}")


if __name__ == "__main__":
    main()
