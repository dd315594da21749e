"""The one bound on record ids: they are 32-bit integers on PostgreSQL (SERIAL), so a larger number in a
path or a form names no record and is answered as "not found", never sent to the database."""

from typing import TypeGuard

MAX_ID = 2**31 - 1



def is_id(value: object) -> TypeGuard[int]:
    """Whether `value` can name a record: a whole number from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
