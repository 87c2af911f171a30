"""URL converters shared by every blueprint."""

from werkzeug.routing import IntegerConverter

# The largest id a 32-bit INTEGER column holds on PostgreSQL.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` that stops at the database's integer range: /x/99999999999 is a 404, not a
    database overflow error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
