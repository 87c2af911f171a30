from flask import Blueprint

# No url_prefix: member pages live under /company/pledge, staff pages under /staff/.
bp = Blueprint("pledges", __name__)
