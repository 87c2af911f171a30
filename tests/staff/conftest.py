# The same arranged world as the review tests: a pledged company that submitted, staff.
from tests.review.conftest import NOW, world  # noqa: F401
