"""Employment tables: vocational training (职业培训): programmes, enrolment,
attendance, certificates, subsidy, placement."""

from __future__ import annotations

__all__: list[str] = []
