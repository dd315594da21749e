"""Every reminder rule, in the order they run. A rule is `async def rule(now) -> int` (rows written)."""

from scheduler.rules import agreements, catalog, fairs, reports, salespoints, statements

RULES = [*fairs.RULES, *agreements.RULES, *catalog.RULES, *salespoints.RULES, *statements.RULES, *reports.RULES]
