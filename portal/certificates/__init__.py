"""Certificates: issuing, numbering, PDF, verification, signed credentials, badges."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
