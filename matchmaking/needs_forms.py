"""The needs-and-offer form shared by the organizer's participant page and the participant's own page: the choices
it lists, the values it shows, and what it sends read back into a registration."""

from __future__ import annotations

from typing import Any

import msgspec

from catalog import reference
from core import fields, i18n
from core.errors import ValidationFailed
from core.formatting import clock
from core.forms import parse_struct
from matchmaking import services
from matchmaking.schemas import NeedsForm, ParticipantOut, RoomOut

LISTS = ("groups", "subgroups", "provinces", "available", "product_ids")


def as_list(value: Any) -> list[str]:
    """A repeated form field: a list when ticked more than once, one value when once, absent when never."""
    if value is None:
        return []
    return [str(v) for v in value if str(v)] if isinstance(value, list) else ([str(value)] if str(value) else [])


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as sent: text, and lists for the ticked boxes."""
    values: dict[str, Any] = {k: str(v) for k, v in data.items() if k not in ("_csrf_token", *LISTS)}
    values.update({name: as_list(data.get(name)) for name in LISTS})
    return values


def read(values: dict[str, Any]) -> NeedsForm:
    """The form's registration, every rule checked and every broken one named."""
    form = parse_struct(values, NeedsForm)
    broken = fields.problems(form)
    if broken:
        raise ValidationFailed({name.split(".")[0]: message for name, message in broken.items()})
    return form


def shown(participant: ParticipantOut) -> dict[str, Any]:
    """A registration as the form shows it."""
    return {**msgspec.to_builtins(participant), "price_min": participant.price_min or "",
            "price_max": participant.price_max or "", "min_stars": participant.min_stars or ""}


async def choices(participant: ParticipantOut, room: RoomOut) -> dict[str, list[tuple[Any, str]]]:
    """What the form's lists offer: OCOP groups and product sets, provinces, the conference's slots, the producer's
    products; their names in the page's language."""
    products = await services.own_products(participant.producer_id) if participant.producer_id else []
    vietnamese = i18n.current_language.get() == "vi"
    return {"groups": [(code, group.name_vi if vietnamese else group.name_en) for code, group in reference.groups().items()],
            "subgroups": [(code, item.name_vi if vietnamese else item.name_en)
                          for code, item in reference.subgroups().items()],
            "provinces": [(p.code, p.name) for p in reference.provinces_by_name()],
            "slots": [(s.number, clock(s.starts_at)) for s in room.slots],
            "products": products}
