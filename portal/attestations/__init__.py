from flask import Blueprint

# No URL prefix: member pages live under /company/attestation, staff pages under /staff/cycles.
bp = Blueprint("attestations", __name__)
