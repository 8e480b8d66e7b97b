"""A batch as a hospital system sends it and gets it back — the body of
``POST /api/medical/settlements/batch`` and the lines of ``minsheng medical settle --batch``:
each element ``{"idempotency_key": "…", "bill": {…}}``, each result ``{"index", "status",
"settlement" | "error"}`` (docs/medical.md, "Batches"; docs/formats.md).

An element that is not a bill is refused in its own slot (a 422 naming its field), never the
whole batch; only an empty batch or one over the limit is refused whole (the field ``bills``)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError, Problem, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.medical.batch import Item, Outcome, settle_many
from minsheng.medical.schemas import BillIn, SettlementOut


def check_size(n: int, limit: int) -> None:
    """An empty batch or one over ``limit`` bills is refused whole (422 naming ``bills``)."""
    if n < 1 or n > limit:
        raise invalid(
            "bills",
            "batch_size",
            f"一批结算须有1至{limit}张账单，收到{n}张",
            f"a batch holds 1 to {limit} bills; this one has {n}",
            bo=f"ཐེངས་གཅིག་ལ་ཐོ་ཁྲ་ 1 ནས་ {limit} བར་དགོས། ད་ལྟ་ {n} འདུག",
        )


def element(raw: Any, by: Principal) -> Item | MinshengError:
    """One element of a batch as an :class:`Item`, or the error that refuses it."""
    if not isinstance(raw, dict):
        return invalid(
            "bill",
            "batch_element",
            '每个元素须为{"idempotency_key": …, "bill": {…}}',
            'each element is {"idempotency_key": …, "bill": {…}}',
            bo='ཚན་པ་རེ་རེ་ {"idempotency_key": …, "bill": {…}} ཡིན་དགོས།',
        )
    key = raw.get("idempotency_key")
    if not isinstance(key, str) or not key:
        return invalid(
            "idempotency_key",
            "key_required",
            "批量结算的每张账单都须有幂等键（idempotency_key）",
            "every bill of a batch needs its idempotency_key",
            bo="ཐེངས་གཅིག་གི་ཐོ་ཁྲ་རེ་རེར་ idempotency_key དགོས།",
        )
    if not isinstance(raw.get("bill"), dict):
        return invalid(
            "bill",
            "bill_required",
            "缺少账单（bill）",
            "the element has no bill",
            bo="ཐོ་ཁྲ་ (bill) མི་འདུག",
        )
    try:
        bill = BillIn.model_validate(raw["bill"])
    except ValidationError as err:
        refused = to_minsheng_error(err)
        return MinshengError(
            field=f"bill.{refused.field}",
            rule=refused.rule,
            zh=refused.zh,
            en=refused.en,
            bo=refused.bo,
            more=[Problem(f"bill.{p.field}", p.rule, p.zh, p.en, p.bo) for p in refused.more],
        )
    return Item(bill, by, key)


def settle_parsed(session: Session, parsed: list[Item | MinshengError]) -> list[Outcome]:
    """Settle the elements that parsed (in order, in the caller's unit of work); each outcome
    in its element's slot, an element refused on parsing keeping its error."""
    settled = iter(settle_many(session, [p for p in parsed if isinstance(p, Item)]))
    return [p if isinstance(p, MinshengError) else next(settled) for p in parsed]


def error_dict(err: MinshengError) -> dict[str, Any]:
    """A refused bill's error: field, rule and the message in zh, bo and en (and every
    problem, for a bill with several)."""
    first = err.problems[0].to_dict()
    return first | {"problems": [p.to_dict() for p in err.problems]}


def result_json(index: int, outcome: Outcome, key: str = "index") -> str:
    """One result as JSON: 201 and the settlement, or the error's status and the error."""
    if isinstance(outcome, SettlementOut):
        return f'{{"{key}": {index}, "status": 201, "settlement": {outcome.model_dump_json()}}}'
    body = {key: index, "status": outcome.status, "error": error_dict(outcome)}
    return json.dumps(body, ensure_ascii=False)


FAULT_ENV = "MINSHENG_FAULT"  # test-only: settle-batch:<before_commit|after_commit>:<chunk>


def _fault(where: str, chunk: int) -> None:
    """Test-only crash hook (ignored when ``MINSHENG_ENV=production``): SIGKILL this process."""
    if os.environ.get(FAULT_ENV) == f"settle-batch:{where}:{chunk}" and (
        os.environ.get("MINSHENG_ENV") != "production"
    ):
        os.kill(os.getpid(), signal.SIGKILL)


def settle_lines(
    lines: Iterable[str],
    by: Principal,
    size: int,
    open_uow: Callable[[], AbstractContextManager[Session]],
    write: Callable[[str], None],
) -> int:
    """Settle a file of JSON lines (one ``{"idempotency_key", "bill"}`` a line) in chunks of
    ``size`` bills, each chunk in its own unit of work, and ``write`` each line's result (JSON,
    ``"line"``: its number from 1) once its chunk has committed; the number of lines refused.

    Killed in the middle, a rerun of the same file settles nothing twice: a chunk committed
    answers its keys' first results, a chunk not committed left nothing."""
    failed = 0
    chunk: list[tuple[int, Item | MinshengError]] = []
    chunks = 0

    def flush() -> None:
        nonlocal failed, chunks
        if not chunk:
            return
        chunks += 1
        parsed = [p for _, p in chunk]
        outcomes: list[Outcome] = [p for p in parsed if isinstance(p, MinshengError)]
        if any(isinstance(p, Item) for p in parsed):
            with open_uow() as s:
                outcomes = settle_parsed(s, parsed)
                _fault("before_commit", chunks)
        _fault("after_commit", chunks)
        for (number, _), outcome in zip(chunk, outcomes, strict=True):
            failed += isinstance(outcome, MinshengError)
            write(result_json(number, outcome, key="line"))
        chunk.clear()

    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except ValueError as err:
            chunk.append((number, _not_json(err)))
        else:
            chunk.append((number, element(raw, by)))
        if len(chunk) >= size:
            flush()
    flush()
    return failed


def _not_json(err: ValueError) -> MinshengError:
    return invalid(
        "line",
        "json",
        f"该行不是JSON：{err}",
        f"the line is not JSON: {err}",
        bo="ཕྲེང་འདི་ JSON མིན།",
    )
