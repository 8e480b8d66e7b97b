"""Every workflow of wage protection on the case engine, one import line per area (each area's
table lives in ``wages/<area>_workflow.py``); ``cases.engine.workflows()`` finds them here."""

from __future__ import annotations

from minsheng.wages.blacklist_workflow import BLACKLIST
from minsheng.wages.complaint_workflow import COMPLAINT
from minsheng.wages.warning_workflow import WARNING

WORKFLOWS = (BLACKLIST, COMPLAINT, WARNING)
