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


LABELS = (
    (NotificationStatus.pending, N_("Due")),
    (NotificationStatus.sending, N_("Sending")),
    (NotificationStatus.sent, N_("Sent")),
    (NotificationStatus.failed, N_("Failed")),
    (TaskStatus.waiting, N_("Waiting")),
    (TaskStatus.done, N_("Done")),
)
