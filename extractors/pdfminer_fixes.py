"""Workarounds for pdfminer.six behaviour that turns a damaged PDF into a hang.

``pdfminer.pdftypes.decompress_corrupted`` (used when a Flate stream fails to inflate, e.g. one
flipped byte in an embedded font) feeds zlib one byte at a time and grows its output with
``bytes +=``: quadratic, minutes for one 3 MB CJK font. The replacement gives the same result
(inflate up to a bad checksum in the last bytes, else raise ``zlib.error``) in linear time.
"""

from __future__ import annotations

import zlib

import pdfminer.pdftypes

_TAIL = 4  # the Adler-32 checksum

# kept to test the replacement against (None if something else patched it first)
_current = pdfminer.pdftypes.decompress_corrupted
ORIGINAL_DECOMPRESS_CORRUPTED = _current if _current.__module__ == "pdfminer.pdftypes" else None


def decompress_corrupted(data: bytes) -> bytes:
    """Inflate ``data`` tolerating a bad checksum; raise ``zlib.error`` for damage before it."""
    d = zlib.decompressobj()
    head, tail = data[:-_TAIL], data[-_TAIL:] if len(data) >= _TAIL else data
    if len(data) < _TAIL:
        head = b""
    out = [d.decompress(head)]  # an error here lies before the checksum: the original raises too
    for i in range(len(tail)):
        try:
            out.append(d.decompress(tail[i:i + 1]))
        except zlib.error:
            if len(head) + i < len(data) - 3:
                raise
            pdfminer.pdftypes.logger.warning("Data-loss while decompressing corrupted data")
            break
    return b"".join(out)


def install() -> None:
    pdfminer.pdftypes.decompress_corrupted = decompress_corrupted
