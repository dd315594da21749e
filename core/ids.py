"""The one bound on record ids: they are 32-bit integers on PostgreSQL (SERIAL), so a larger number in a
path or a form names no record and is answered as "not found", never sent to the database."""

MAX_ID = 2**31 - 1

