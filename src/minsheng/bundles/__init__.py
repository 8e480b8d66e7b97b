"""One-visit bundles (一件事一次办): one application, one form, one visit, fanning out to every
programme concerned — retirement, the death of a pensioner, hiring an employee, applying for a
social-security card — all or nothing, each part's state visible.

Above the programmes: it reads them only through their published ``queries`` / ``commands``
/ ``rules`` (and the shared services below them: the registry, the card)."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="bundles",
    kind="service",
    title=Text("一件事一次办", "ལས་དོན་གཅིག་ཐེངས་གཅིག་ལ་སྒྲུབ།", "One-visit bundles"),
    api=("minsheng.bundles.api:router",),
    pages=("minsheng.bundles.pages:router",),
    cli=(("bundles", "minsheng.bundles.cli:app"),),
    models="minsheng.bundles.models",
    permissions={
        "caseworker": frozenset({"bundles:read", "bundles:write", "bundles:apply"}),
        "supervisor": frozenset({"bundles:read", "bundles:write", "bundles:apply"}),
        "citizen": frozenset({"bundles:apply", "self:bundles"}),
    },
    desks=(
        Link(
            "/bundles",
            Text("一件事一次办", "ལས་དོན་གཅིག་ཐེངས་གཅིག་ལ་སྒྲུབ།", "One-visit bundles"),
            "bundles:read",
            rank=45,
        ),
    ),
    panels=(
        Link(
            "/me/bundles",
            Text("一件事一次办", "ལས་དོན་གཅིག་ཐེངས་གཅིག་ལ་སྒྲུབ།", "One-visit bundles"),
            "self:bundles",
            rank=35,
        ),
    ),
)
