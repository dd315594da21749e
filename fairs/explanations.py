"""The allocation's reasons in words: what an organizer or exhibitor reads beside an application.

Pure: a stored reason ({"code": ..., "details": {...}}) becomes a translatable message.
"""

from __future__ import annotations

from core.errors import N_, Msg

_AMENITY_WORDS = {"power": N_("power"), "water": N_("water"), "refrigeration": N_("refrigeration")}
_KIND_WORDS = {"standard": N_("standard"), "corner": N_("corner"), "double": N_("double"), "tent": N_("outdoor tent"),
               "premium": N_("premium")}


def _words(details: dict, gettext) -> dict:
    amenities = [gettext(_AMENITY_WORDS.get(a, a)) for a in details.get("amenities", [])]
    return {
        **details,
        "booths": ", ".join(details["booths"]) if isinstance(details.get("booths"), list) else details.get("booths"),
        "kind": gettext(_KIND_WORDS.get(details.get("kind", ""), details.get("kind", ""))),
        "amenities": ", ".join(amenities) if amenities else gettext(N_("no special amenities")),
        "zones": ", ".join(details.get("zones", [])),
    }


def explain(reason: dict | None, gettext=lambda s: s) -> str:
    """One or two sentences: which booth and why, or why the application waits."""
    if not reason or "code" not in reason:
        return ""
    code, details = reason["code"], _words(reason.get("details", {}), gettext)
    parts: list[Msg] = []
    if code in ("placed", "locked"):
        parts.append(Msg(N_("Booth %(booths)s in zone %(zone)s."), **details) if len(reason["details"]["booths"]) == 1
                     else Msg(N_("Booths %(booths)s side by side in zone %(zone)s."), **details))
        choice = details.get("choice", 0)
        if code == "locked":
            parts.append(Msg(N_("Set by the organizer and locked.")))
        elif choice == 1:
            parts.append(Msg(N_("Your first choice of zone.")))
        elif choice and details.get("earlier_full", True):
            parts.append(Msg(N_("Your choice number %(choice)s of zone; the ones before it were full."), choice=choice))
        elif choice:
            parts.append(Msg(N_("Your choice number %(choice)s of zone: it gave the plan a better whole than the ones "
                                "before it, which still have room."), choice=choice))
        else:
            parts.append(Msg(N_("The zones you preferred had no room, or you named none.")))
        if code == "placed":
            reasons = []
            if details.get("stars", 0) > 3:
                reasons.append(gettext(N_("%(stars)s-star products")) % {"stars": details["stars"]})
            if details.get("newcomer"):
                reasons.append(gettext(N_("first time at this fair")))
            if details.get("featured"):
                reasons.append(gettext(N_("featured province")))
            if reasons:
                parts.append(Msg(N_("Priority %(priority)s (%(why)s)."), priority=details["priority"], why=", ".join(reasons)))
            else:
                parts.append(Msg(N_("Priority %(priority)s."), priority=details["priority"]))
    elif code == "no_zone":
        parts.append(Msg(N_("Waitlisted: no zone of this fair takes products of this group from this province.")))
    elif code == "no_kind":
        parts.append(Msg(N_("Waitlisted: there is no %(kind)s booth in the zones it may use (%(zones)s)."), **details))
    elif code == "no_amenities":
        parts.append(Msg(N_("Waitlisted: no %(kind)s booth with %(amenities)s in the zones it may use (%(zones)s)."),
                         **details))
    elif code == "no_adjacent":
        parts.append(Msg(N_("Waitlisted: no %(booths)s %(kind)s booths with %(amenities)s stand side by side in the zones "
                            "it may use (%(zones)s)."), **details))
    elif code == "outbid" and "lowest_served" in details:  # a reason stored before reasons named the holders
        parts.append(Msg(N_("Waitlisted: the %(fitting)s booths that fit it (%(kind)s, with %(amenities)s, in %(zones)s) "
                            "went to applications with a higher priority; its priority is %(priority)s, the lowest "
                            "placed is %(lowest_served)s."), **details))
    elif code == "outbid":
        parts.append(Msg(N_("Waitlisted: the %(fitting)s booths that fit it (%(kind)s, with %(amenities)s, in %(zones)s) "
                            "are all taken, by applications of priority %(lowest_holder)s to %(highest_holder)s; its "
                            "priority is %(priority)s."), **details))
    elif code == "arranged":
        parts.append(Msg(N_("Waitlisted: the %(fitting)s booths that fit it (%(kind)s, with %(amenities)s, in %(zones)s) "
                            "are all taken, by applications of priority %(lowest_holder)s to %(highest_holder)s; its "
                            "priority is %(priority)s, but the plan as a whole (zone choices, neighbours, each province's "
                            "share) scores higher with them there."), **details))
    elif code == "not_reached":
        parts.append(Msg(N_("Waitlisted for now: booths that fit it are still free (%(zones)s); run the allocation again "
                            "or place it by hand."), **details))
    elif code == "released":
        parts.append(Msg(N_("Its booth was released by the organizer; it waits for another.")))
    elif code == "ineligible":
        parts.append(Msg(N_("Not eligible: see the problems listed.")))
    return " ".join(part.render(gettext) for part in parts)


_REFUSALS = {
    "group": N_("Zone %(zone)s takes %(zone_groups)s; most of these products are %(main)s."),
    "every_product": N_("Zone %(zone)s takes only exhibitors whose every product is %(zone_groups)s; these include "
                        "%(groups)s."),
    "province": N_("Zone %(zone)s is the pavilion of %(province)s."),
    "no_kind": N_("Zone %(zone)s has no %(kind)s booth."),
    "no_amenities": N_("Zone %(zone)s has no %(kind)s booth with %(amenities)s."),
    "no_adjacent": N_("Zone %(zone)s has no %(booths)s %(kind)s booths with %(amenities)s side by side."),
}


def refusal(reason: dict, zone: str, group_names: dict[str, str], province_name, gettext=lambda s: s) -> str:
    """Why a preferred zone can never take the application, in one sentence (for the apply form)."""
    details = _words(reason.get("details", {}), gettext)

    def groups(codes: list[str]) -> str:
        return ", ".join(group_names.get(code, code) for code in codes)

    details.update(zone=zone, zone_groups=groups(reason["details"].get("zone_groups", [])),
                   groups=groups(reason["details"].get("groups", [])),
                   main=groups([reason["details"]["main"]]) if reason["details"].get("main") else "",
                   province=province_name(reason["details"].get("province", "")))
    return Msg(_REFUSALS[reason["code"]], **details).render(gettext)
