"""Staff review: the queue, risk flags, decisions, sampling audits and exports."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff/review")
