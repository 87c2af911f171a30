import sqlalchemy as sa
from flask import render_template

from portal.db import session as db
from portal.pages import bp
from portal.permissions import public


@bp.route("/")
@public
def home():
    return render_template("pages/home.html")


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/contact")
@public
def contact():
    return render_template("pages/contact.html")


@bp.route("/healthz")
@public
def health():
    """For load balancers: answers 200 only when the database answers."""
    db.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
