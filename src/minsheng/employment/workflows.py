"""Every workflow of employment services on the case engine, one import line per area (each
area's table lives in ``employment/<area>_workflow.py``); ``cases.engine.workflows()`` finds
them here."""

from __future__ import annotations

from minsheng.employment import gig_workflow, help_workflow, training_workflow, vacancy_workflow

WORKFLOWS = (
    *vacancy_workflow.WORKFLOWS,
    *gig_workflow.WORKFLOWS,
    *training_workflow.WORKFLOWS,
    *help_workflow.WORKFLOWS,
)
