"""CSV import of attendance events (a device's export, read off the terminal) and the CSV of
what became of each row. The format is in docs/formats.md ("Attendance events CSV").

Columns (header row, any order): ``device_serial,event_id,worker_id,at,kind``. Each row is one
event of a device registered to the project; rows are grouped by device and ingested exactly as
the device API would (:func:`minsheng.wages.attendance.ingest`): every row answered on its own,
duplicates ignored and counted, late rows recomputing their day. A row naming a device not
registered to this project (or retired) is refused, not stored. Encodings: UTF-8 with or without
a BOM, GB18030 (and UTF-16 with a BOM) — :func:`minsheng.registry.importer.decode`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import export
from minsheng.core.errors import invalid
from minsheng.foundation.principals import Principal
from minsheng.registry.importer import decode
from minsheng.wages.attendance import MAX_BATCH, REASONS, Report, ingest
from minsheng.wages.attendance_devices import project_in_region
from minsheng.wages.attendance_models import WgDevice

COLUMNS = ("device_serial", "event_id", "worker_id", "at", "kind")
MAX_ROWS = 1_000_000
RESULT_COLUMNS = ("line", "device_serial", "event_id", "status", "rule", "reason_zh", "reason_en")
DEVICE_REASON = (
    "该设备未登记到此项目或已停用",
    "the device is not registered to this project, or is retired",
    "སྒྲིག་ཆས་འདི་ལས་གཞི་འདིར་ཐོ་འགོད་མེད།",
)


def parse(data: bytes) -> tuple[list[dict[str, str]], str]:
    """The rows (with their line numbers under ``line``) and the encoding read."""
    text, encoding = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise invalid(
            "file",
            "columns",
            f"缺少列：{', '.join(missing)}",
            f"missing columns: {', '.join(missing)}",
            bo="ཀ་ཐིག་ཆད་འདུག",
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for n, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise invalid("file", "too_many_rows", f"最多{MAX_ROWS}行", f"at most {MAX_ROWS} rows")
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue
        rows.append({c: (row.get(c) or "").strip() for c in COLUMNS} | {"line": str(n)})
    return rows, encoding


def _event(row: dict[str, str]) -> dict[str, Any]:
    worker: object = row["worker_id"]
    if isinstance(worker, str) and worker.isdigit() and len(worker) <= 10:
        worker = int(worker)
    return {"id": row["event_id"], "worker": worker, "at": row["at"], "kind": row["kind"]}


def import_csv(
    session: Session,
    project_id: int,
    data: bytes,
    by: Principal,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Ingest every row of the file into ``project_id``; the per-row report."""
    project = project_in_region(session, project_id, by)
    rows, encoding = parse(data)
    serials = sorted({r["device_serial"] for r in rows})
    devices = {
        d.serial: d
        for d in session.scalars(
            select(WgDevice).where(
                WgDevice.serial.in_(serials or [""]),
                WgDevice.project_id == project.id,
                WgDevice.state == "active",
            )
        )
    }
    results: list[dict[str, Any]] = [{} for _ in rows]
    total = Report()
    by_device: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r["device_serial"] in devices:
            by_device.setdefault(r["device_serial"], []).append(i)
        else:
            zh, en, bo = DEVICE_REASON
            results[i] = {"status": "refused", "field": "device_serial", "rule": "device"}
            results[i] |= {"zh": zh, "en": en, "bo": bo}
            total.refused += 1
    for serial, indexes in by_device.items():
        for start in range(0, len(indexes), MAX_BATCH):
            part = indexes[start : start + MAX_BATCH]
            rep = ingest(session, devices[serial], [_event(rows[i]) for i in part], by, now)
            for i, res in zip(part, rep.results, strict=True):
                results[i] = {k: v for k, v in res.items() if k not in ("index", "id")}
            total.accepted += rep.accepted
            total.duplicates += rep.duplicates
            total.refused += rep.refused
            total.days += rep.days
    for r, res in zip(rows, results, strict=True):
        res["line"] = int(r["line"])
        res["device_serial"] = r["device_serial"]
        res["event_id"] = r["event_id"]
    return {
        "encoding": encoding,
        "rows": len(rows),
        "accepted": total.accepted,
        "duplicates": total.duplicates,
        "refused": total.refused,
        "days_recomputed": total.days,
        "results": results,
    }


def results_csv(report: dict[str, Any]) -> bytes:
    """The per-row results as CSV (UTF-8 with a BOM; cells a spreadsheet would read as a
    formula are written as text — :mod:`minsheng.core.export`)."""
    return export.csv_bytes(
        RESULT_COLUMNS,
        (
            (
                r["line"],
                r["device_serial"],
                r["event_id"],
                r["status"],
                r.get("rule", ""),
                r.get("zh", ""),
                r.get("en", ""),
            )
            for r in report["results"]
        ),
    )


__all__ = ["COLUMNS", "REASONS", "import_csv", "parse", "results_csv"]
