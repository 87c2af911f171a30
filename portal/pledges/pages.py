"""What the pledge pages show, shared by member and staff views (plain data, no requests)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import make_response
from sqlalchemy.orm import Session

from portal import clock
from portal.pdf import render_pdf
from portal.pledges import service, versions
from portal.pledges.models import CodeVersion, Pledge


def history_query(organisation_id: int) -> sa.Select:
    return (sa.select(Pledge).where(Pledge.organisation_id == organisation_id)
            .order_by(Pledge.signed_at.desc(), Pledge.id.desc()))


def pledge_summary(db: Session, organisation_id: int, today: date) -> dict:
    """The company's pledge position: its active pledge (if any), what state it is in, the
    re-signing deadline, and the last withdrawal when nothing is active."""
    current_version = service.current_code_version(db)
    pledge = service.active_pledge(db, organisation_id)
    summary = {"pledge": pledge, "current_version": current_version, "state": None,
               "deadline": None, "withdrawn": None}
    if pledge is not None:
        summary["state"] = service.pledge_state(db, pledge, today)
        summary["deadline"] = service.resign_deadline(db, pledge)
    else:
        summary["withdrawn"] = db.execute(
            sa.select(Pledge).where(Pledge.organisation_id == organisation_id,
                                    Pledge.withdrawn_at.is_not(None))
            .order_by(Pledge.withdrawn_at.desc()).limit(1)
        ).scalar_one_or_none()
    return summary


def resign_changes(db: Session, current: Pledge | None, version: CodeVersion) -> dict | None:
    """For a re-signer: the summaries of every version since theirs and a per-commitment diff."""
    if current is None:
        return None
    signed = current.code_version
    return {"signed": signed, "versions": versions.versions_between(
        db, signed.number, version.number), **versions.compare_versions(signed, version)}


def statement_context(pledge: Pledge) -> dict:
    """Plain values for the PDF (never ORM objects): what was signed, by whom, when.

    Read back from the stored signed text where possible, so a company renamed since still
    sees the name it signed under."""
    version = pledge.code_version
    signed = service.parse_canonical_text(pledge.signed_text) or {
        "company": pledge.organisation.name, "title": version.title,
        "commitments": version.commitments}
    return {
        "company": signed["company"], "reference": pledge.reference,
        "version_number": version.number, "version_title": signed["title"],
        "commitments": [dict(c) for c in signed["commitments"]],
        "signatory_name": pledge.signatory_name, "signatory_title": pledge.signatory_title,
        "signed_on": clock.local(pledge.signed_at).date(), "text_sha256": pledge.text_sha256,
        "withdrawn_on": clock.local(pledge.withdrawn_at).date() if pledge.withdrawn_at else None,
        "superseded_on": (clock.local(pledge.superseded_at).date()
                          if pledge.superseded_at else None),
        "generated_on": clock.today(),
    }


def statement_response(pledge: Pledge):
    pdf = render_pdf("pledges/pdf/statement.html", statement_context(pledge))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="statement-of-commitment-{pledge.reference}.pdf"')
    # A company's own record: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response
