"""A minimal Flask + SQLAlchemy + Jinja page listing 25 of the companies with a count: the
reference the issue's targets are stated against ("the directory at least as fast as this")."""

import os

import sqlalchemy as sa
from flask import Flask, render_template_string, request

app = Flask(__name__)
engine = sa.create_engine(os.environ["DATABASE_URL"].replace("postgresql://",
                                                              "postgresql+psycopg://"))
PAGE = """<!DOCTYPE html><html lang="en"><title>Companies</title><h1>{{ total }} companies</h1>
<ul>{% for row in rows %}<li>{{ row.name }} ({{ row.sector }})</li>{% endfor %}</ul></html>"""


@app.route("/")
def companies():
    search = request.args.get("q", "")
    where = "WHERE search_name LIKE :q" if search else ""
    params = {"q": f"%{search}%"}
    with engine.connect() as conn:
        total = conn.execute(sa.text(f"SELECT count(*) FROM organisations {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            f"SELECT name, sector FROM organisations {where} ORDER BY search_name LIMIT 25"),  # noqa: S608
            params).all()
    return render_template_string(PAGE, total=total, rows=rows)
