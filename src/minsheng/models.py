"""Every package's tables, imported together so ``Base.metadata`` knows the whole schema.

Used by the Alembic environment and the tests; a new programme adds its ``models`` here.
"""

from minsheng.assistance import models as assistance_models
from minsheng.auth import models as auth_models
from minsheng.db import Base
from minsheng.medical import models as medical_models
from minsheng.registry import models as registry_models

__all__ = ["Base", "assistance_models", "auth_models", "medical_models", "registry_models"]
