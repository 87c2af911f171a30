"""Impact: the public programme dashboard, member benchmarks, staff analytics, annual report."""

from flask import Blueprint

bp = Blueprint("impact", __name__)
