"""Every package's tables, imported together so ``Base.metadata`` knows the whole schema.

Used by the Alembic environment and the tests. The tables are those of every registered
programme and service (``PROGRAMME.models`` in its ``__init__.py``, see
:mod:`minsheng.programmes`): a new programme adds nothing here.
"""

import importlib
from types import ModuleType

from minsheng import programmes
from minsheng.db import Base


def load_all() -> list[ModuleType]:
    """Import the foundation's tables (the audit log, the long jobs' runs) and the models module
    of every registered package (again after one is added)."""
    names = ["minsheng.foundation.models", "minsheng.foundation.jobs"]
    names += [p.models for p in programmes.registered() if p.models]
    return [importlib.import_module(name) for name in names]


MODULES = load_all()

__all__ = ["MODULES", "Base", "load_all"]
