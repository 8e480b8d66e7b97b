"""Keeps the search rows (``em_search_docs``) in step with every ORM write of a vacancy or a
seeker, in the same transaction: whatever service wrote it (publishing, editing, closing,
filling, taking down; registering, a profile, consent, a lapse), the rows it touched are
re-indexed just before the commit — a published posting is searchable once it is stored, a
withdrawn consent is out of the profile search with it. Imported by the services that write
those tables (``vacancies``, ``seekers``), so it is registered wherever they are used.

Writes through Core (``session.execute(update(...))``) are not seen; :func:`search.reindex`
(``minsheng employment reindex``) rebuilds everything, and the searches themselves only ever
answer open, published vacancies and consenting, active seekers whatever the rows say.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from minsheng.employment import search
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy

KEY = "em_search_pending"
NEW = "em_search_new_seekers"


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    touched = [
        ("vacancy" if isinstance(o, EmVacancy) else "seeker", o.id)
        for o in (*session.new, *session.dirty, *session.deleted)
        if isinstance(o, EmVacancy | EmSeeker)
    ]
    if touched:
        session.info.setdefault(KEY, set()).update(touched)
        created = [o.id for o in session.new if isinstance(o, EmSeeker)]
        if created:  # opened in this transaction: no search row to drop yet
            session.info.setdefault(NEW, set()).update(created)


def opened(session: Session, seeker: EmSeeker) -> None:
    """A seeker record inserted without the unit of work (:func:`minsheng.db.insert_new`):
    indexed at the commit like one flushed — when it is searchable at all (a new record
    without consent has no search row: :func:`search.index_seeker` would do nothing)."""
    if seeker.consent and seeker.state == "active":
        session.info.setdefault(KEY, set()).add(("seeker", seeker.id))
        session.info.setdefault(NEW, set()).add(seeker.id)


# insert=True: ahead of the audit log's hook, which must write last (it takes the chain's head)
@event.listens_for(Session, "before_commit", insert=True)
def _index(session: Session) -> None:
    session.flush()  # what is still pending reaches _collect first
    pending = session.info.pop(KEY, None)
    created = session.info.pop(NEW, None) or set()
    for kind, ref in sorted(pending or ()):
        if kind == "vacancy":
            search.index_vacancy(session, ref)
        else:
            search.index_seeker(session, ref, new=ref in created)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(KEY, None)
    session.info.pop(NEW, None)


__all__ = ["KEY"]
