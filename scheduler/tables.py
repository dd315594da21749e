"""The scheduler's own state: who holds the lease, what each job did last, and the tasks it owes."""

from piccolo.columns import JSON, Boolean, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SchedulerLease(Table):
    """One row per lease: the process that holds it runs the jobs until `expires_at`."""

    id: Serial

    name = Varchar(length=64, unique=True)
    holder = Varchar(length=64)
    expires_at = Timestamptz()
    acquired_at = Timestamptz(default=TimestamptzNow())


class JobRun(Table):
    """The last run of each job, for the admin page: when, and what came of it."""

    id: Serial

    job = Varchar(length=64, unique=True)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    ok = Boolean(default=True)
    result = Varchar(length=1000, default="")
    holder = Varchar(length=64, default="")


class ScheduledTask(Table):
    """Work owed once per subject (compiling a fair's outcome report): written by a rule, done by a job."""

    id: Serial

    key = Varchar(length=200, unique=True)
    kind = Varchar(length=32)
    data = JSON(default="{}")
    due_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16, default="waiting", index=True)  # waiting, done, failed
    result = Varchar(length=1000, default="")
    done_at = Timestamptz(null=True, default=None)
