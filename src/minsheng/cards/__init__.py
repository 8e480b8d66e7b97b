"""The social-security card (社会保障卡): card records and their life (applied, made, issued,
activated, reported lost, replaced, cancelled) on the case engine, the linked bank account, and
the electronic card — a short-lived signed code the citizen shows on the phone and the
cashier's window scans to identify the patient instead of typing an ID number.

A shared service below the programmes: medical reads a scanned electronic card through
:func:`minsheng.cards.ecard.verify`; pensions pay into the card's bank account."""

from minsheng.programmes import Link, Programme, Text

PROGRAMME = Programme(
    name="cards",
    kind="service",
    title=Text("社会保障卡", "སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུ།", "Social-security card"),
    api=("minsheng.cards.api:router",),
    pages=("minsheng.cards.pages:router",),
    models="minsheng.cards.models",
    permissions={
        "caseworker": frozenset({"cards:read", "cards:write"}),
        "supervisor": frozenset({"cards:read", "cards:write"}),
        "cashier": frozenset({"cards:scan"}),
        "citizen": frozenset({"self:card"}),
    },
    desks=(
        Link(
            "/cards",
            Text("社保卡窗口", "སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུའི་སྒེའུ་ཁུང་།", "Card desk"),
            "cards:read",
            rank=50,
        ),
    ),
    panels=(
        Link(
            "/me/card",
            Text("我的社保卡", "ངའི་སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུ།", "My social-security card"),
            "self:card",
            rank=40,
        ),
    ),
)
