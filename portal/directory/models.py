"""Indexes the directory's queries ask for (see migration 0006_directory).

Declared here, beside the queries that need them, so the other domains' models stay theirs.
"""

import sqlalchemy as sa

from portal.pledges.models import Pledge

# Covers "when did this company's current run of pledging begin / did it withdraw", asked
# per company by every directory row and status filter: answered from the index alone.
pledges_directory_index = sa.Index(
    "ix_pledges_directory", Pledge.organisation_id, Pledge.withdrawn_at, Pledge.signed_at)
