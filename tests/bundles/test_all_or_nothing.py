"""Bundles: a retry answers the first bundle (same idempotency key, or a completed
application submitted again); another form under the same key is refused; another region's
person answers as missing; a citizen starts only their own retirement or card; and a crash
between two parts (anything but a refusal: kill -9, a lost connection) leaves nothing at all,
because every part runs in the one transaction of the request (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from minsheng.bundles import parts, service
from minsheng.bundles.models import Bundle, BundleEvent, BundlePart
from minsheng.bundles.schemas import CardIn, DeathIn, RetirementIn
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import Principal, staff
from minsheng.pensions.models import PnAward
from tests.bundles.kit import BY, TODAY, changed, counts, employer, person, retiring

SHIGATSE = staff(9, "日喀则经办", "caseworker", "540200")
LHASA = staff(8, "拉萨经办", "caseworker", "540100")


def _bundles(s: object) -> int:
    return int(s.scalar(select(func.count()).select_from(Bundle)) or 0)  # type: ignore[attr-defined]


def test_a_retry_answers_the_first_bundle(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = retiring(s, 1)
        form = RetirementIn(person_id=pid)
        first, new = service.apply(s, "retirement", form, LHASA, today=TODAY, key="form-0001")
        again, again_new = service.apply(s, "retirement", form, LHASA, today=TODAY, key="form-0001")
        assert new and not again_new and again.id == first.id and first.state == "done"
        # submitted again without the key (a second visit): the done bundle answers
        third, third_new = service.apply(s, "retirement", form, LHASA, today=TODAY)
        assert not third_new and third.id == first.id
        assert _bundles(s) == 1
        assert s.scalar(select(func.count()).select_from(PnAward)) == 1
        with pytest.raises(ConflictError) as err:
            service.apply(
                s,
                "retirement",
                RetirementIn(person_id=pid, category="cadre"),
                LHASA,
                today=TODAY,
                key="form-0001",
            )
        assert (err.value.field, err.value.rule) == ("key", "key_reused")


def test_a_refused_retry_with_its_key_answers_the_refusal_and_runs_nothing(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = retiring(s, 3, born=dt.date(1970, 5, 10))
        form = RetirementIn(person_id=pid)
        first, _ = service.apply(s, "retirement", form, LHASA, today=TODAY, key="form-0002")
        again, new = service.apply(s, "retirement", form, LHASA, today=TODAY, key="form-0002")
        assert first.state == "refused" and again.id == first.id and not new
        assert s.scalar(select(func.count()).select_from(BundleEvent)) == 2  # apply, refuse


def test_another_regions_person_answers_as_missing(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = retiring(s, 1)
        rows = counts(s)
        with pytest.raises(NotFoundError) as err:
            service.apply(s, "retirement", RetirementIn(person_id=pid), SHIGATSE, today=TODAY)
        assert err.value.field == "person_id"
        missing = 10**6
        with pytest.raises(NotFoundError) as err2:
            service.apply(s, "retirement", RetirementIn(person_id=missing), SHIGATSE, today=TODAY)
        assert (err.value.zh.replace(str(pid), "N"), err.value.status) == (
            err2.value.zh.replace(str(missing), "N"),
            err2.value.status,
        )
        assert changed(rows, counts(s)) == {} and _bundles(s) == 0
        bundle, _ = service.apply(s, "card", CardIn(person_id=pid), LHASA, today=TODAY)
        with pytest.raises(NotFoundError):
            service.load(s, bundle.id, SHIGATSE)
        assert service.listing(s, SHIGATSE) == []
        assert [b.id for b in service.listing(s, LHASA)] == [bundle.id]


def _citizen(pid: int) -> Principal:
    from minsheng.foundation.principals import PERMISSIONS

    return Principal(
        kind="citizen",
        name=f"person:{pid}",
        role="citizen",
        region="540102",
        permissions=PERMISSIONS["citizen"],
        person_id=pid,
    )


def test_a_citizen_starts_only_their_own_retirement_or_card(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        me = person(s, 21, born=dt.date(1980, 1, 1))
        other = person(s, 23, born=dt.date(1981, 1, 1))
        bundle, _ = service.apply(s, "card", CardIn(person_id=me), _citizen(me), today=TODAY)
        assert bundle.state == "done" and bundle.by == f"citizen:{me}"
        with pytest.raises(NotFoundError):
            service.apply(s, "card", CardIn(person_id=other), _citizen(me), today=TODAY)
        with pytest.raises(ForbiddenError) as err:
            service.apply(
                s, "death", DeathIn(person_id=me, died_on=TODAY), _citizen(me), today=TODAY
            )
        assert err.value.rule == "staff_only"
        assert [b.id for b in service.listing(s, _citizen(me))] == [bundle.id]
        assert service.listing(s, _citizen(other)) == []
        with pytest.raises(NotFoundError):
            service.load(s, bundle.id, _citizen(other))


def _boom(c: parts.Ctx) -> dict[str, object]:
    raise RuntimeError("the process died here")


def test_a_crash_between_two_parts_leaves_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 between the award and the medical move: the transaction never commits, so
    neither the award, nor the ended enrolments, nor the bundle exist afterwards."""
    crash = parts.Part("crash", "pensions", ("崩溃", "", "crash"), _boom)
    steps = parts.RETIREMENT
    monkeypatch.setitem(service.PARTS, "retirement", (steps[0], crash, *steps[1:]))
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        employer(s)
        pid = retiring(s, 1)
    with factory() as s:
        rows = counts(s)
    with pytest.raises(RuntimeError), unit_of_work(factory) as s:
        service.apply(s, "retirement", RetirementIn(person_id=pid), BY, today=TODAY)
    with factory() as s:
        assert changed(rows, counts(s)) == {}
        assert _bundles(s) == 0
        assert s.scalar(select(func.count()).select_from(BundlePart)) == 0
        assert s.scalar(select(func.count()).select_from(PnAward)) == 0
    monkeypatch.setitem(service.PARTS, "retirement", steps)
    with unit_of_work(factory) as s:  # the retry after the crash runs once, whole
        bundle, new = service.apply(s, "retirement", RetirementIn(person_id=pid), BY, today=TODAY)
        assert new and bundle.state == "done"


def test_two_submissions_at_once_run_the_bundle_once(engine: Engine) -> None:
    """Two windows submit the same retirement at the same moment: the person's row serialises
    them, the second sees the first done and answers it."""
    from concurrent.futures import ThreadPoolExecutor

    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        employer(s)
        pid = retiring(s, 1)

    def submit(_: int) -> int:
        with unit_of_work(factory) as s:
            bundle, _new = service.apply(
                s, "retirement", RetirementIn(person_id=pid), LHASA, today=TODAY
            )
            return bundle.id

    with ThreadPoolExecutor(2) as pool:
        ids = list(pool.map(submit, range(2)))
    assert ids[0] == ids[1]
    with factory() as s:
        assert _bundles(s) == 1
        assert s.scalar(select(func.count()).select_from(PnAward)) == 1


@pytest.mark.parametrize("at", range(len(parts.HIRE) + 1))
def test_a_refusal_at_any_part_leaves_no_part(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """A refusal injected before each part of the hire (and after the last): every part
    before it is undone, none after it runs, no programme's row remains."""
    from minsheng.bundles.schemas import HireIn
    from minsheng.core.errors import invalid
    from tests.bundles.kit import CREDIT

    def refuse(c: parts.Ctx) -> dict[str, object]:
        raise invalid("probe", "injected", "注入的拒绝", "an injected refusal")

    steps = list(parts.HIRE)
    steps.insert(at, parts.Part("probe", "registry", ("探针", "", "probe"), refuse))
    monkeypatch.setitem(service.PARTS, "hire", tuple(steps))
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = person(s, 41, born=dt.date(1990, 1, 1))
        rows = counts(s)
        form = HireIn(
            person_id=pid, credit_code=CREDIT, wage="7000", start_date=dt.date(2025, 7, 1)
        )
        bundle, _ = service.apply(s, "hire", form, LHASA, today=TODAY)
        assert bundle.state == "refused"
        states = s.scalars(
            select(BundlePart.state)
            .where(BundlePart.bundle_id == bundle.id)
            .order_by(BundlePart.seq)
        ).all()
        assert states == ["rolled_back"] * at + ["refused"] + ["not_run"] * (len(steps) - at - 1)
        assert changed(rows, counts(s)) == {}
