"""Bundles (一件事一次办): one application, one form, one visit, fanning out to every
programme concerned — all or nothing.

:func:`apply` runs every part of the bundle (:mod:`minsheng.bundles.parts`) inside one
savepoint of the caller's transaction. If a part refuses (a ``MinshengError``: not yet of
retirement age, a bad credit code …), the savepoint is rolled back — no part's rows remain —
and the bundle is stored as ``refused`` with that part's error (it names the field) and every
part's state: ``rolled_back`` before it, ``refused``, ``not_run`` after. Anything else (a
crash, a lost connection, ``kill -9``) aborts the one transaction and leaves nothing at all:
there is no moment at which some parts are stored and others not.

Retries: the same idempotency ``key`` answers the first bundle (another form under the same
key is a 409); a completed bundle's natural key (``done_key``: the retiree, the death, the
hire of this person by this employer from this day, the card applied for today) answers the
first bundle too, so an application submitted twice never runs twice. Two at once are
serialised on the person's row.

Region scope: the person is loaded in ``by``'s region (elsewhere: "no person", as for one who
does not exist); a citizen may start only their own retirement or card application.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.bundles import death, parts
from minsheng.bundles.models import Bundle, BundleEvent, BundlePart
from minsheng.bundles.workflows import BUNDLE
from minsheng.cases import engine
from minsheng.core.errors import (
    ConflictError,
    ForbiddenError,
    MinshengError,
    NotFoundError,
)
from minsheng.core.text import idempotency_key
from minsheng.foundation.principals import Principal
from minsheng.registry import checks
from minsheng.registry.models import Person

PARTS: dict[str, tuple[parts.Part, ...]] = {
    "retirement": parts.RETIREMENT,
    "death": death.DEATH,
    "hire": parts.HIRE,
    "card": parts.CARD,
}
KIND_LABELS: dict[str, parts.Label] = {
    "retirement": ("退休一件事", "བདེ་ཁོམ་ལས་དོན་གཅིག", "retirement"),
    "death": ("身后一件事", "འདས་རྗེས་ལས་དོན་གཅིག", "death of a pensioner"),
    "hire": ("员工录用一件事", "ལས་མི་བཀོལ་བའི་ལས་དོན་གཅིག", "hiring an employee"),
    "card": ("社保卡申领", "སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུ་ཞུ་བ།", "social-security card"),
}
CITIZEN_KINDS = ("retirement", "card")  # the others are staff-only
KEY_SHORTEST = 8
MAX_LIST = 200  # engineering bound: a list answers at most this many bundles


def check_kind(kind: str) -> str:
    if kind not in PARTS:
        raise NotFoundError(
            "kind",
            f"没有“{kind[:20]}”这件事（可选：{'、'.join(PARTS)}）",
            f"no bundle {kind[:20]!r} (one of: {', '.join(PARTS)})",
            "ལས་དོན་དེ་མེད།",
        )
    return kind


def check_key(key: str | None) -> str | None:
    """A bundle's idempotency key: 8 characters at least (a form's generated key); empty is
    none."""
    return idempotency_key(key or None, "key", shortest=KEY_SHORTEST)


def staff_only() -> ForbiddenError:
    return ForbiddenError(
        "kind",
        "staff_only",
        "此事须到经办窗口办理",
        "this bundle is started by staff at the service window",
        "ལས་དོན་འདི་ལས་ཁུངས་སུ་སྒྲུབ་དགོས།",
    )


def _person(session: Session, person_id: int, kind: str, by: Principal) -> Person:
    if by.kind == "citizen":
        if kind not in CITIZEN_KINDS:
            raise staff_only()
        if person_id != by.person_id:
            raise NotFoundError("person_id", f"人员{person_id}不存在", f"no person {person_id}")
    return checks.load(session, Person, person_id, "person", by)


def _done_key(kind: str, form: dict[str, Any], today: dt.date) -> str:
    pid = form["person_id"]
    if kind == "hire":
        code = str(form["credit_code"]).strip().upper()  # bounded by the form (IdText)
        return f"hire:{pid}:{code}:{form['start_date']}"
    if kind == "card":
        return f"card:{pid}:{today.isoformat()}"
    return f"{kind}:{pid}"


def _form_json(form: BaseModel) -> str:
    return json.dumps(form.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def apply(
    session: Session,
    kind: str,
    form: BaseModel,
    by: Principal,
    today: dt.date | None = None,
    key: str | None = None,
) -> tuple[Bundle, bool]:
    """Run the bundle ``kind`` for the person of ``form``, all or nothing (module docstring).
    Returns the bundle and whether it is new (False: a retry answered by the first)."""
    today = today or dt.date.today()
    check_kind(kind)
    key = check_key(key)
    values = form.model_dump()
    text = _form_json(form)
    person = _person(session, values["person_id"], kind, by)
    session.refresh(person, with_for_update=True)  # serialise two applications for one person
    scoped = f"{engine.accountable(by)}|{key}" if key else None
    if scoped is not None:
        first = session.scalar(select(Bundle).where(Bundle.key == scoped))
        if first is not None:
            if first.kind != kind or first.form != text:
                raise ConflictError(
                    "key",
                    "key_reused",
                    "该幂等键已用于另一份申请",
                    "this idempotency key was used for another application",
                    "ཨང་རྟགས་འདི་ཞུ་ཡིག་གཞན་ལ་བེད་སྤྱོད་ཟིན།",
                )
            return first, False
    natural = _done_key(kind, values, today)
    done = session.scalar(select(Bundle).where(Bundle.done_key == natural))
    if done is not None:
        return done, False
    bundle = Bundle(
        kind=kind,
        person_id=person.id,
        division_code=person.division_code,
        state=BUNDLE.initial,
        key=scoped,
        form=text,
        day=today,
        by=by.actor,
    )
    session.add(bundle)
    session.flush()
    _event(
        session,
        bundle,
        engine.Event("apply", None, bundle.state, engine.accountable(by), today),
        by,
    )
    ctx = parts.Ctx(session, person, values, by, today)
    outcome = _run_parts(ctx, PARTS[kind])
    failed = next((o for o in outcome if o[1] == "refused"), None)
    for seq, (part, state, result, error) in enumerate(outcome, start=1):
        session.add(
            BundlePart(
                bundle_id=bundle.id,
                seq=seq,
                name=part.name,
                programme=part.programme,
                state=state,
                result=None if result is None else json.dumps(result, ensure_ascii=False),
                error=None if error is None else json.dumps(error, ensure_ascii=False),
            )
        )

    def work(step: engine.Step) -> str | None:
        if failed is None:
            bundle.state, bundle.done_key = "done", natural
            return None
        why = failed[3] or {}
        bundle.state = "refused"
        bundle.error = json.dumps({"part": failed[0].name, **why}, ensure_ascii=False)
        return f"{failed[0].name}: {why.get('field')} {why.get('rule')}"[:400]

    action = "complete" if failed is None else "refuse"
    _event(session, bundle, BUNDLE.run(bundle, action, by, work, day=today), by)
    return bundle, True


Outcome = tuple[parts.Part, str, dict[str, Any] | None, dict[str, Any] | None]


def _run_parts(ctx: parts.Ctx, todo: tuple[parts.Part, ...]) -> list[Outcome]:
    """Each part in order inside one savepoint; the first refusal rolls every part back."""
    results: list[Outcome] = []
    try:
        with ctx.session.begin_nested():
            for part in todo:
                try:
                    results.append((part, "done", part.run(ctx), None))
                except parts.Skipped as skip:
                    results.append((part, "skipped", {"skipped": skip.reason}, None))
                except MinshengError as err:
                    results.append((part, "refused", None, _error(err)))
                    raise
    except MinshengError:
        ctx.session.expire_all()  # what the undone parts changed is read again
        ran = len(results) - 1
        return [
            *((p, "rolled_back", None, None) for p, _, _, _ in results[:ran]),
            results[ran],
            *((p, "not_run", None, None) for p in todo[ran + 1 :]),
        ]
    return results


def _error(err: MinshengError) -> dict[str, Any]:
    return {
        "field": err.field,
        "rule": err.rule,
        "status": err.status,
        "message": {"zh": err.zh, "bo": err.tibetan, "en": err.en},
    }


def _event(session: Session, bundle: Bundle, event: engine.Event, by: Principal) -> None:
    engine.write_event(
        session,
        BundleEvent,
        event,
        by,
        resource="bundle",
        record_id=bundle.id,
        division=bundle.division_code,
        detail={"kind": bundle.kind, "from": event.from_state, "to": event.to_state},
        bundle_id=bundle.id,
    )


# ----------------------------------------------------------------------------- reading


def no_bundle(bundle_id: int) -> NotFoundError:
    return NotFoundError(
        "bundle_id",
        f"办件{bundle_id}不存在",
        f"no bundle {bundle_id}",
        f"ལས་དོན་{bundle_id}མེད།",
    )


def load(session: Session, bundle_id: int, by: Principal) -> Bundle:
    """The bundle, if ``by`` covers where it was filed (a citizen: their own); else missing."""
    found = session.get(Bundle, bundle_id)
    if found is None:
        raise no_bundle(bundle_id)
    if by.kind == "citizen":
        if found.person_id != by.person_id:
            raise no_bundle(bundle_id)
    elif not by.covers(found.division_code):
        raise no_bundle(bundle_id)
    return found


def listing(
    session: Session,
    by: Principal,
    person_id: int | None = None,
    kind: str | None = None,
    limit: int = MAX_LIST,
) -> list[Bundle]:
    """Bundles filed in ``by``'s region (a citizen: their own), newest first."""
    query = select(Bundle).order_by(Bundle.id.desc()).limit(min(limit, MAX_LIST + 1))
    if by.kind == "citizen":
        query = query.where(Bundle.person_id == by.person_id)
    else:
        query = engine.in_region(query, Bundle.division_code, by)
    if person_id is not None:
        query = query.where(Bundle.person_id == person_id)
    if kind is not None:
        query = query.where(Bundle.kind == check_kind(kind))
    return list(session.scalars(query))


def parts_of(session: Session, bundle: Bundle) -> list[BundlePart]:
    return list(
        session.scalars(
            select(BundlePart).where(BundlePart.bundle_id == bundle.id).order_by(BundlePart.seq)
        )
    )


def events_of(session: Session, bundle: Bundle) -> list[BundleEvent]:
    return list(
        session.scalars(
            select(BundleEvent).where(BundleEvent.bundle_id == bundle.id).order_by(BundleEvent.id)
        )
    )


def label(kind: str, part: str | None = None) -> parts.Label:
    if part is None:
        return KIND_LABELS[kind]
    return next(p.label for p in PARTS[kind] if p.name == part)


def bundle_out(session: Session, bundle: Bundle) -> dict[str, Any]:
    return {
        "id": bundle.id,
        "kind": bundle.kind,
        "person_id": bundle.person_id,
        "division_code": bundle.division_code,
        "state": bundle.state,
        "day": bundle.day.isoformat(),
        "by": bundle.by,
        "form": json.loads(bundle.form),
        "error": json.loads(bundle.error) if bundle.error else None,
        "parts": [
            {
                "name": p.name,
                "programme": p.programme,
                "state": p.state,
                "result": json.loads(p.result) if p.result else None,
                "error": json.loads(p.error) if p.error else None,
            }
            for p in parts_of(session, bundle)
        ],
        "events": [
            {"action": e.action, "from": e.from_state, "to": e.to_state, "day": e.day.isoformat()}
            for e in events_of(session, bundle)
        ],
    }
