"""URL pieces shared by the staff and review views."""

# Ids in URLs: anything past a 32-bit INTEGER answers 404 instead of a database error.
ID = "int(max=2147483647)"
