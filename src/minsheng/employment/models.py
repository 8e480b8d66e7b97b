"""Employment services' tables, one module per area, imported here so ``Base.metadata`` holds
the whole programme (``PROGRAMME.models``)."""

from minsheng.employment import (  # noqa: F401
    fair_models,
    gig_models,
    help_models,
    match_models,
    seeker_models,
    training_models,
    vacancy_models,
)

__all__: list[str] = []
