"""Outcome and periodic reports: data gathered from the modules, SVG charts, an HTML preview, a PDF
(WeasyPrint, in worker processes) and an .xlsx, stored as versioned artifacts.

`compile_scheduled` is what the scheduler's post-fair task calls.
"""

from __future__ import annotations


async def compile_scheduled(task: dict) -> str:
    """Compiles, stores and announces the outcome report of the fair named in a ScheduledTask row."""
    from reports.services import compile_for_task

    return await compile_for_task(task)
