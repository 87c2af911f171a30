"""`flask --app portal db …` and `flask --app portal portal …` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from portal.config import PROJECT_ROOT
from portal.db import session as db


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


db_cli = click.Group("db", help="Database migrations (Alembic).")
portal_cli = click.Group("portal", help="Pledge Portal administration.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: head)."""
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True)
def db_revision(message, autogenerate):
    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message,
                     autogenerate=autogenerate)


@portal_cli.command("create-staff")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), required=True)
@click.password_option(help="Prompted for when not given.")
def create_staff(email, name, role, password):
    """Create an association staff account."""
    from portal.audit.service import record
    from portal.auth.models import StaffRole
    from portal.auth.service import create_user, find_user_by_email
    from portal.forms import password_rules

    if find_user_by_email(db, email):
        raise click.ClickException(f"An account already uses {email}")
    problem = _password_problem(password_rules, email, password)
    if problem:
        raise click.ClickException(problem)
    user = create_user(db, email=email, name=name or email.split("@")[0], password=password,
                       staff_role=StaffRole(role), verified=True)
    record(db, "staff_created", obj=user, detail={"role": role, "via": "cli"})
    db.commit()
    click.echo(f"Created {role} {user.email}.")


def _password_problem(rule, email, password) -> str:
    from wtforms import ValidationError

    form = type("CliForm", (), {"account_email": email})()
    field = type("CliField", (), {"data": password})()
    try:
        rule(form, field)
    except ValidationError as error:
        return str(error)
    return ""


@portal_cli.command("audit-verify")
def audit_verify():
    """Check the whole audit hash chain; name the first broken row."""
    from portal.audit.service import verify_chain

    report = verify_chain(db)
    if report.is_intact:
        click.echo(f"Audit chain intact: {report.checked} events checked.")
        return
    click.echo(f"Audit chain BROKEN at event seq {report.broken_seq}: {report.reason} "
               f"({report.checked} events before it are intact).", err=True)
    sys.exit(1)


@portal_cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep sending; poll every --interval seconds.")
@click.option("--interval", default=10.0)
@click.option("--limit", default=500)
def send_mail(loop, interval, limit):
    """Send mail waiting in the outbox.

    On SQLite only one worker may run per database (it has no row locks): a second one run
    once stops with status 1; with --loop it waits, and takes over when the first one stops.
    """
    import time

    from portal.mail.service import send_pending
    from portal.mail.worker_lock import ALREADY_RUNNING, worker_lock

    lock = worker_lock(db.get_bind())
    if not lock.acquire():
        if not loop:
            click.echo(f"{ALREADY_RUNNING}; this one stops.", err=True)
            sys.exit(1)
        click.echo(f"{ALREADY_RUNNING}; this one waits and takes over when it stops.",
                   err=True)
        while not lock.acquire():
            time.sleep(interval)
        click.echo("The other send-mail worker stopped; this one takes over.", err=True)
    try:
        while True:
            sent, failed = send_pending(db, limit=limit)
            db.commit()
            click.echo(f"Sent {sent}, failed {failed}.")
            if not loop:
                return
            time.sleep(interval)
    finally:
        lock.release()


@portal_cli.command("seed-demo")
@click.option("--companies", default=12, show_default=True)
@click.option("--cycles", default=2, show_default=True)
def seed_demo(companies, cycles):
    """Load demo data (idempotent) and print the demo logins."""
    from portal.demo import seed

    for line in seed(db, companies=companies, cycles=cycles):
        click.echo(line)


def init_app(app: Flask) -> None:
    from portal.backup import backup_command, restore_command

    portal_cli.add_command(backup_command)
    portal_cli.add_command(restore_command)
    app.cli.add_command(db_cli)
    app.cli.add_command(portal_cli)
