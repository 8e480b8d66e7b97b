"""An independent reader of the bank transfer file (format ``MSBANK/1``, docs/formats.md).

Written from the documented format only — it shares no code with the writer
(``minsheng.core.export``) — so that a bug in the writer's escaping cannot hide itself by being
repeated here. It refuses anything that is not a complete, final, self-consistent file:

- a name that is not a final name (``bank-YYYY-MM-REGION-runN.txt``): temporary files never pass;
- bytes that are not UTF-8, a CR anywhere, a line with the wrong number of fields, a raw
  character that should have been escaped, an unknown escape;
- a header, records and trailer that disagree (count, total, sequence), or a digest that does
  not match the bytes before the trailer; anything after the trailer; a missing trailer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

FINAL_NAME = re.compile(r"bank-(\d{4}-\d{2})-(\d{6})-run(\d+)\.txt")
_ESCAPE = re.compile(r"\\(?:(\\)|u([0-9A-F]{4}))")
_RAW_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029|]")


class Refused(ValueError):
    """The file is not a valid, complete bank transfer file."""


@dataclass(frozen=True)
class Record:
    seq: int
    ref: str
    name: str
    id_number: str
    amount: int  # fen
    memo: str


@dataclass(frozen=True)
class BankFile:
    region: str
    month: str
    run_id: int
    count: int
    total: int
    digest: str
    records: list[Record]


def _unescape(field: str) -> str:
    if _RAW_FORBIDDEN.search(field):
        raise Refused(f"raw control character or separator in field {field!r}")
    out: list[str] = []
    i = 0
    while i < len(field):
        c = field[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        m = _ESCAPE.match(field, i)
        if m is None:
            raise Refused(f"bad escape in field {field!r}")
        out.append("\\" if m.group(1) else chr(int(m.group(2), 16)))
        i = m.end()
    return "".join(out)


def _int(text: str, what: str) -> int:
    if not re.fullmatch(r"0|[1-9][0-9]{0,17}", text):
        raise Refused(f"{what} is not a plain non-negative integer: {text!r}")
    return int(text)


def parse(data: bytes) -> BankFile:
    if b"\r" in data:
        raise Refused("CR in file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8: {exc}") from None
    if not text.endswith("\n"):
        raise Refused("file does not end with a line feed (torn?)")
    lines = text[:-1].split("\n")
    if len(lines) < 2:
        raise Refused("no header and trailer")
    head = lines[0].split("|")
    if len(head) != 6 or head[0] != "MSBANK/1":
        raise Refused(f"bad header {lines[0]!r}")
    region, month = _unescape(head[1]), _unescape(head[2])
    if not re.fullmatch(r"\d{6}", region) or not re.fullmatch(r"\d{4}-\d{2}", month):
        raise Refused("bad region or month in header")
    run_id, count, total = (_int(head[i], n) for i, n in ((3, "run"), (4, "count"), (5, "total")))
    trailer = lines[-1].split("|")
    if len(trailer) != 4 or trailer[0] != "T":
        raise Refused(f"missing or bad trailer {lines[-1]!r}")
    body = lines[1:-1]
    records: list[Record] = []
    for n, line in enumerate(body, 1):
        f = line.split("|")
        if len(f) != 7 or f[0] != "D":
            raise Refused(f"record {n} has {len(f)} fields: {line!r}")
        seq = _int(f[1], "seq")
        if seq != n:
            raise Refused(f"record {n} carries sequence {seq}")
        amount = _int(f[5], "amount")
        if amount <= 0:
            raise Refused(f"record {n} has no amount")
        records.append(
            Record(seq, _unescape(f[2]), _unescape(f[3]), _unescape(f[4]), amount, _unescape(f[6]))
        )
    if len(records) != count:
        raise Refused(f"header says {count} records, file has {len(records)}")
    if sum(r.amount for r in records) != total:
        raise Refused("records do not add up to the header's total")
    if _int(trailer[1], "trailer count") != count or _int(trailer[2], "trailer total") != total:
        raise Refused("trailer disagrees with header")
    digest = trailer[3]
    signed = ("\n".join(lines[:-1]) + "\n").encode("utf-8")
    if not re.fullmatch(r"[0-9a-f]{64}", digest) or hashlib.sha256(signed).hexdigest() != digest:
        raise Refused("digest does not match")
    return BankFile(region, month, run_id, count, total, digest, records)


def read(path: Path) -> BankFile:
    """Parse a file by its path; its name must be a final bank-file name that agrees with it."""
    m = FINAL_NAME.fullmatch(path.name)
    if m is None:
        raise Refused(f"not a final bank-file name: {path.name}")
    f = parse(path.read_bytes())
    if (f.month, f.region, f.run_id) != (m.group(1), m.group(2), int(m.group(3))):
        raise Refused("file name and header disagree")
    return f
