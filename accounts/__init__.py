"""Users, roles, sessions and login throttling. Importing the package gives core's outbox the users'
addresses (accounts.directory)."""

from accounts import directory as _directory  # noqa: F401  (registers itself with core.outbox)
