"""Certificates: issuing, numbering, PDF, verification, signed credentials, badges.

Public:   /verify (number form) · /verify/<id> (states of DESIGN §6; 410 when revoked)
          /verify/<id>/certificate.pdf · /verify/<id>/credential.json (+ .jwt)
          /credentials/issuer · /credentials/jwks.json · /credentials/status/<n>
          /credentials/achievements/<version> · /members/<slug>/badge.svg
Members:  /company/certificates · /certificates/<id>/download (own company or staff)
Staff:    /staff/certificates[/<id>[/revoke|/confirm-revocation|/cancel-revocation|/reissue]]
CLI:      portal issue-certificates --cycle YYYY · portal generate-credential-key
          portal credential-public-key (to retire it: docs/deploy.md §8)
"""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
