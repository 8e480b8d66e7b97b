"""Every file the system writes for people or other systems goes through here (docs/formats.md).

- :func:`csv_text` / :func:`csv_bytes` — the one CSV writer: RFC 4180 quoting
  (``csv.QUOTE_MINIMAL``), ``\\r\\n`` line ends, UTF-8 with a byte-order mark (so Excel on a
  Chinese Windows reads it as UTF-8), and OWASP's rule against formula injection: a text cell
  that starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``.
- :func:`bank_file` — the bank transfer file, format ``MSBANK/1``: one record per line, fields
  separated by ``|``, every field escaped so that no ``|``, no line break and no control
  character can appear raw in it; a header with the count and the total (fen), and a trailer
  with both again and the SHA-256 of every byte before it. A field can never become a line or
  another field, and a torn or altered file never checks out.
- :func:`write_private` — owner-only files (0600) in owner-only directories (0700), written
  under a temporary name in the same directory, fsynced, then renamed into place, so a reader
  sees the whole file or none. :func:`write_temp` and :func:`publish` are its two halves, for a
  caller that must do something (commit) between them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# ------------------------------------------------------------------------------------ CSV

CSV_LINE_END = "\r\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection"
BOM = "\ufeff"


def csv_cell(value: object) -> str:
    """One cell's text. Integers are written as numbers; any other value is text, and text that
    a spreadsheet would read as a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (no BOM): the header row, then one row per item."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END)
    w.writerow([csv_cell(h) for h in header])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV as it is stored or served: UTF-8 with a byte-order mark."""
    return (BOM + csv_text(header, rows)).encode("utf-8")


# ------------------------------------------------------------------------------ bank file

BANK_MAGIC = "MSBANK/1"
SEPARATOR = "|"


def _needs_escape(c: str) -> bool:
    o = ord(c)
    return c == SEPARATOR or o < 0x20 or 0x7F <= o <= 0x9F or c in "\u2028\u2029"


_ESCAPED = re.compile("[\\\\|\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_field(text: str) -> str:
    """``\\`` → ``\\\\``; ``|``, C0/C1 controls (CR, LF, …), DEL, U+2028/U+2029 → ``\\uXXXX``
    (four upper-case hex digits). Nothing else changes."""
    if _ESCAPED.search(text) is None:  # the usual field: nothing to escape
        return text
    out: list[str] = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif _needs_escape(c):
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


@dataclass(frozen=True)
class Transfer:
    """One transfer: a reference the bank echoes back, the payee's name and ID number (the bank
    matches the card on it), the amount in fen (> 0) and a memo."""

    ref: str
    name: str
    id_number: str
    amount: int
    memo: str


def bank_file(
    region: str, month: str, run_id: int, transfers: Sequence[Transfer]
) -> tuple[bytes, str]:
    """The file's bytes and its digest (the SHA-256 written in its trailer)."""
    return bank_file_rows(
        region, month, run_id, [(t.ref, t.name, t.id_number, t.amount, t.memo) for t in transfers]
    )


#: Anything :func:`escape_field` would change, except ``|`` and the line feed (counted instead)
_ESCAPED_IN_BODY = re.compile("[\\\\\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def bank_file_rows(
    region: str, month: str, run_id: int, rows: Sequence[tuple[str, str, str, int, str]]
) -> tuple[bytes, str]:
    """:func:`bank_file` of plain tuples ``(ref, name, id_number, amount, memo)`` — the same
    bytes, for runs of hundreds of thousands of transfers: the records are formatted as they
    are and checked all at once (nothing to escape, and exactly the separators and line ends
    the records make); only when that check fails is every field escaped one by one."""
    total = 0
    for r in rows:
        a = r[3]
        if type(a) is not int or a <= 0:
            raise ValueError(f"transfer {r[0]!r}: the amount must be a positive integer (fen)")
        if not type(r[0]) is type(r[1]) is type(r[2]) is type(r[4]) is str:
            raise TypeError(f"transfer {r[0]!r}: every field but the amount is text")
        total += a
    header = SEPARATOR.join(
        [
            BANK_MAGIC,
            escape_field(region),
            escape_field(month),
            str(run_id),
            str(len(rows)),
            str(total),
        ]
    )
    body = "\n".join([f"D|{i}|{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}" for i, r in enumerate(rows, 1)])
    clean = (
        body.count(SEPARATOR) == 6 * len(rows)
        and body.count("\n") == max(len(rows) - 1, 0)
        and _ESCAPED_IN_BODY.search(body) is None
    )
    if not clean:
        body = "\n".join(
            SEPARATOR.join(["D", str(i), *(escape_field(str(f)) for f in r)])
            for i, r in enumerate(rows, 1)
        )
    signed = (header + "\n" + body + ("\n" if rows else "")).encode("utf-8")
    digest = hashlib.sha256(signed).hexdigest()
    trailer = SEPARATOR.join(["T", str(len(rows)), str(total), digest]) + "\n"
    return signed + trailer.encode("utf-8"), digest


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bank_digest(data: bytes) -> str | None:
    """The digest of a bank file whose trailer checks out (the bytes before the trailer hash to
    the trailer's digest and nothing follows it), else None. A quick check for a stored file;
    it does not re-read the records (the writer's reader is the test suite's, by design)."""
    if not data.endswith(b"\n"):
        return None
    cut = data.rfind(b"\n", 0, len(data) - 1) + 1
    if cut <= 0:
        return None
    parts = data[cut:-1].split(b"|")
    if len(parts) != 4 or parts[0] != b"T":
        return None
    digest = parts[3].decode("ascii", "replace")
    return digest if sha256_hex(data[:cut]) == digest else None


# -------------------------------------------------------------------------- private files

DIR_MODE = 0o700
FILE_MODE = 0o600
TEMP_SUFFIX = ".tmp"


def private_dir(path: Path) -> Path:
    """Make ``path`` (and parents) if needed and make it owner-only (0700)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def temp_name(final_name: str) -> str:
    """A name that can never be taken for the final file: hidden, random, ``.tmp``."""
    return f".{final_name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"


def is_temp_of(name: str, final_name: str) -> bool:
    return name.startswith(f".{final_name}.") and name.endswith(TEMP_SUFFIX)


def write_temp(directory: Path, final_name: str, data: bytes) -> Path:
    """Write ``data`` to a new owner-only temporary file beside the final one and fsync it."""
    path = private_dir(directory) / temp_name(final_name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def publish(temp: Path, final_name: str) -> Path:
    """Rename the temporary file into place (atomic) and fsync the directory."""
    final = temp.parent / final_name
    os.replace(temp, final)
    dir_fd = os.open(temp.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return final


def remove_temps(directory: Path, final_name: str) -> int:
    """Delete leftover temporary files of ``final_name`` (a writer that died). → how many."""
    if not directory.exists():
        return 0
    n = 0
    for p in directory.iterdir():
        if is_temp_of(p.name, final_name):
            p.unlink(missing_ok=True)
            n += 1
    return n


def write_private(directory: Path, name: str, data: bytes) -> Path:
    """Write a whole owner-only file atomically: temporary name, fsync, rename."""
    return publish(write_temp(directory, name, data), name)
