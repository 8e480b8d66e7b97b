"""The registry: persons, households, employers, medical facilities, enrolment and statuses."""

from minsheng.programmes import Programme, Text

PROGRAMME = Programme(
    name="registry",
    kind="service",
    title=Text("人员登记", "ཐོ་འགོད།", "Registry"),
    api=("minsheng.registry.api:router",),
    cli=(("person", "minsheng.registry.cli:app"),),
    models="minsheng.registry.models",
    permissions={
        "cashier": frozenset({"registry:read"}),
        **{
            role: frozenset(
                {
                    "registry:read",
                    "registry:identify",  # full ID / phone in an audited one-person read
                    "registry:write",
                    "registry:import",
                }
            )
            for role in ("caseworker", "supervisor")
        },
    },
)
