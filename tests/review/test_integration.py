"""With the attestation package's real submit_attestation: flags on submit, the whole loop."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from portal.attestations.models import AttestationStatus
from portal.review import service
from portal.review.models import RiskFlag
from tests.factories import GOOD_ANSWERS

submit = pytest.importorskip("portal.attestations.service").submit_attestation


def _codes(db, version):
    return sorted(db.execute(sa.select(RiskFlag.code).where(
        RiskFlag.attestation_version_id == version.id)).scalars())


def test_real_submission_raises_flags_and_resubmission_is_compared(app, db, world):
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["dei"]["policy_url"] = None
    attestation = world["attestation"]
    attestation.status, attestation.answers = AttestationStatus.DRAFT, answers
    db.commit()
    with app.test_request_context():  # the receipt mail builds links
        first = submit(db, attestation, world["admin"], declaration_name="Alex",
                       declaration_role="MD")
        db.commit()
        assert _codes(db, first) == ["no_dei_policy_url"]
        service.request_changes(db, world["reviewer"], attestation,
                                {"dei": "Add the policy link."})
        db.commit()
        second = submit(db, attestation, world["admin"], declaration_name="Alex",
                        declaration_role="MD")
        db.commit()
    assert _codes(db, second) == ["no_dei_policy_url", "unchanged_after_change_request"]
    assert attestation.status == AttestationStatus.SUBMITTED
    assert second.number == first.number + 1
