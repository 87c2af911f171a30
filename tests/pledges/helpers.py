"""Pledge test data: a published code version, and a pledge signed through the real service.

Other domains' tests may import these too (e.g. to make a pledge "re-signing required").
"""

from __future__ import annotations


def publish_code_version(db, *, commitments=None, title=None, published_at=None,
                         summary="A small change for the tests."):
    from portal import clock
    from portal.pledges.models import CodeVersion
    from portal.pledges.service import current_code_version

    current = current_code_version(db)
    version = CodeVersion(
        number=current.number + 1,
        title=title or f"The People Pillar, version {current.number + 1}",
        summary_of_changes=summary,
        commitments=commitments or [*current.commitments, {
            "heading": "Pay gap", "body": "A pay-gap report is published every year."}],
        published_at=published_at or clock.now())
    db.add(version)
    db.commit()
    return version


def sign_pledge_as(db, organisation, signer, *, name=None, job_title="Managing Director"):
    """Sign the current version through the real service (text, hash, audit, mail)."""
    from portal.pledges import service

    version = service.current_code_version(db)
    pledge = service.sign_pledge(db, organisation, service.Signatory(
        user=signer, name=name or signer.name, job_title=job_title, ip_address="192.0.2.1",
        user_agent="pytest"), version.id)
    db.commit()
    return pledge
