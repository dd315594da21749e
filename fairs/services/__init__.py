"""Fairs' services: each public function is one transaction, checked before it writes."""

from fairs.services.allocations import assign, floor_now, last_run, release, run_allocation, set_lock, swap
from fairs.services.applications import (
    apply,
    check_in,
    confirm,
    eligibility_problems,
    get_application,
    list_applications,
    placeable_choices,
    preferred_zone_warnings,
    recheck_eligibility,
    render_problems,
    withdraw,
)
from fairs.services.events import change_status, create_fair, get_fair, list_fairs, set_weights, update_fair, weights_of
from fairs.services.floorplans import (
    add_booth,
    add_zone,
    booth_row,
    delete_booth,
    delete_zone,
    exhibitors,
    floor_plan,
    generate_booths,
    import_booths,
    update_booth,
    update_zone,
    zones,
)
from fairs.services.onsite import (
    check_in_list,
    daily_figures,
    day_grid,
    record_booth_sales,
    record_day,
    record_visitors,
    sales_of,
    set_check_ins,
)
from fairs.services.reach import Reach, link_holder, reach

__all__ = [
    "add_booth", "add_zone", "apply", "delete_booth", "delete_zone", "update_zone", "assign", "booth_row", "change_status", "check_in", "confirm", "create_fair",
    "daily_figures", "eligibility_problems", "exhibitors", "floor_plan", "generate_booths", "get_application",
    "floor_now", "get_fair", "import_booths", "last_run", "list_applications", "list_fairs", "placeable_choices", "recheck_eligibility",
    "record_booth_sales", "record_visitors", "release", "render_problems", "run_allocation", "sales_of", "set_lock", "set_weights",
    "swap", "update_booth", "update_fair", "weights_of", "withdraw", "zones", "Reach", "link_holder", "reach", "preferred_zone_warnings", "check_in_list", "day_grid", "record_day", "set_check_ins",
]
