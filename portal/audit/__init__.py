"""The audit log: hash-chained events (service.py) and the staff viewer (views.py)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
