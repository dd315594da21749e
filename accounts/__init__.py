"""Users, roles, sessions, login throttling and the audit log: the base every module writes through."""
