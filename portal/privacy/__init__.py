"""Privacy: a company's data export and a person's account deletion (UK GDPR)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
