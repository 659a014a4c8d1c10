"""A minimal PDF text reader for tests (pypdf is not a dependency): inflate the content streams and
collect the strings shown by Tj/TJ operators. Enough for reportlab's output with standard fonts."""

from __future__ import annotations

import base64
import contextlib
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\s*endstream", re.S)
_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)")
_SHOW = re.compile(rb"(\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]\\]|\\.)*\]\s*TJ)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i:i + 1]
        if ch == b"\\" and i + 1 < len(raw):
            nxt = raw[i + 1:i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            i += 1
            continue
        out += ch
        i += 1
    return bytes(out)


def pdf_lines(content: bytes) -> list[str]:
    """Each text-showing operation's text, in stream order."""
    lines: list[str] = []
    for match in _STREAM.finditer(content):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab wraps the deflated stream in ASCII85
            data = base64.a85decode(data.removeprefix(b"<~")[:-2])
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        for show in _SHOW.finditer(data):
            parts = [_unescape(s[1:-1]) for s in _STRING.findall(show.group(1))]
            lines.append(b"".join(parts).decode("cp1252", errors="replace"))
    return lines


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_lines(content))
