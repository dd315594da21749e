"""Enumerations of the scheduler, with their labels for pages."""

import enum

from core.errors import N_


class NotificationStatus(str, enum.Enum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class TaskStatus(str, enum.Enum):
    waiting = "waiting"
    done = "done"
    failed = "failed"


class MessageKind(str, enum.Enum):
    """What a notification is about: its template, templates/email/<kind>.html."""

    agreement_term_ending = "agreement_term_ending"
    agreements_to_close = "agreements_to_close"
    certificate_expiring = "certificate_expiring"
    fair_application_closing = "fair_application_closing"
    fair_booths_published = "fair_booths_published"
    fair_sales_missing = "fair_sales_missing"
    fair_setup_tomorrow = "fair_setup_tomorrow"
    fair_starts_tomorrow = "fair_starts_tomorrow"
    fair_waitlisted = "fair_waitlisted"
    milestone_due = "milestone_due"
    milestone_overdue = "milestone_overdue"
    report_ready = "report_ready"
    salespoint_digest = "salespoint_digest"


class Job(str, enum.Enum):
    """The scheduler's recurring jobs (scheduler/runner.py)."""

    dispatch = "dispatch"
    rules = "rules"
    tasks = "tasks"
    statistics = "statistics"


LABELS = (
    (NotificationStatus.pending, N_("Due")),
    (NotificationStatus.sending, N_("Sending")),
    (NotificationStatus.sent, N_("Sent")),
    (NotificationStatus.failed, N_("Failed")),
    (TaskStatus.waiting, N_("Waiting")),
    (TaskStatus.done, N_("Done")),
    (MessageKind.agreement_term_ending, N_("Agreement term ending")),
    (MessageKind.agreements_to_close, N_("Agreements to close")),
    (MessageKind.certificate_expiring, N_("Certificate expiring")),
    (MessageKind.fair_application_closing, N_("Fair applications closing")),
    (MessageKind.fair_booths_published, N_("Booths published")),
    (MessageKind.fair_sales_missing, N_("Booth sales not reported")),
    (MessageKind.fair_setup_tomorrow, N_("Fair set-up tomorrow")),
    (MessageKind.fair_starts_tomorrow, N_("Fair starts tomorrow")),
    (MessageKind.fair_waitlisted, N_("Waitlisted at a fair")),
    (MessageKind.milestone_due, N_("Delivery milestone due")),
    (MessageKind.milestone_overdue, N_("Delivery milestone overdue")),
    (MessageKind.report_ready, N_("Report ready")),
    (MessageKind.salespoint_digest, N_("Sales-point daily digest")),
    (Job.dispatch, N_("Send due notifications")),
    (Job.rules, N_("Check reminder rules")),
    (Job.tasks, N_("Compile scheduled reports")),
    (Job.statistics, N_("Refresh database statistics")),
)
