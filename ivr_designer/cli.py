"""The ``ivr-designer`` command: database, accounts, tokens, a local server, flows.

``flows`` comes from the flow engine and needs neither the app nor a database;
FlaskGroup only builds the app for commands marked ``with_appcontext``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from types import FrameType

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from sqlalchemy import select
from werkzeug.serving import run_simple

from flows.cli import flows_cli
from ivr_designer import create_app, migrate
from ivr_designer.actor import Actor
from ivr_designer.auth.current import password_hasher
from ivr_designer.demo import ensure_demo
from ivr_designer.errors import DomainError
from ivr_designer.extensions import db
from ivr_designer.models import Role, User
from ivr_designer.models.base import utcnow
from ivr_designer.orgs.operations import create_org, find_by_slug
from ivr_designer.outbox.cli import worker_command
from ivr_designer.scheduler import LockedScheduler, start_embedded
from ivr_designer.tokens.operations import create_token
from ivr_designer.users.operations import create_user

CLI_ACTOR = Actor(user=None, ip_address=None)


def _fail(error: DomainError) -> click.ClickException:
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.fields.items())
    return click.ClickException(f"{error.message}" + (f" ({details})" if details else ""))


@click.group("db")
def db_cli() -> None:
    """Schema migrations (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    with db.engine().connect() as connection:
        migrate.upgrade(connection, revision)
        click.echo(f"database at {migrate.current_revision(connection)}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; 'base' empties it)."""
    with db.engine().connect() as connection:
        migrate.downgrade(connection, revision)
        click.echo(f"database at {migrate.current_revision(connection) or 'base'}")


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's revision and the newest one available."""
    with db.engine().connect() as connection:
        current = migrate.current_revision(connection)
    click.echo(f"current: {current or 'base'}; head: {migrate.head_revision()}")


@click.command("create-org")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--time-zone", default="Europe/Copenhagen", show_default=True)
@click.option("--language", default="da", show_default=True)
@with_appcontext
def create_org_command(name: str, slug: str, time_zone: str, language: str) -> None:
    """Create an organisation (tenant)."""
    try:
        org = create_org(
            db.session, CLI_ACTOR, name=name, slug=slug, time_zone=time_zone, language=language
        )
    except DomainError as error:
        raise _fail(error) from error
    db.session.commit()
    click.echo(f"created organisation {org.slug} (id {org.id})")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_slug", help="Organisation slug; without it a system admin is made.")
@click.option(
    "--password",
    envvar="IVR_ADMIN_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (or set IVR_ADMIN_PASSWORD).",
)
@with_appcontext
def create_admin_command(email: str, name: str, org_slug: str | None, password: str) -> None:
    """Create a system admin, or an org admin with --org."""
    org_id = None
    if org_slug:
        org = find_by_slug(db.session, org_slug)
        if org is None:
            raise click.ClickException(f"no organisation with slug {org_slug!r}")
        org_id = org.id
    role = Role.ORG_ADMIN if org_id else Role.SYSTEM_ADMIN
    try:
        user = create_user(
            db.session,
            CLI_ACTOR,
            password_hasher(),
            email=email,
            name=name,
            password=password,
            role=role,
            org_id=org_id,
        )
    except DomainError as error:
        raise _fail(error) from error
    db.session.commit()
    click.echo(f"created {role} {user.email} (id {user.id})")


@click.command("create-token")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--expires-days", type=click.IntRange(min=1), default=None)
@with_appcontext
def create_token_command(email: str, name: str, expires_days: int | None) -> None:
    """Create an API token for a user and print its secret (shown only now)."""
    user = db.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user with email {email!r}")
    actor = Actor(user=user, ip_address=None)
    _token, secret = create_token(
        db.session, actor, name=name, now=utcnow(), expires_in_days=expires_days
    )
    db.session.commit()
    click.echo(secret)


@click.command("run")
@click.option("--demo", is_flag=True, help="Migrate and ensure a demo org and admin first.")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", type=int, default=5000, show_default=True)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option(
    "--scheduler/--no-scheduler",
    "embedded_scheduler",
    default=False,
    help="Also run the scheduled jobs in this process (single-machine use).",
)
@with_appcontext
def run_command(demo: bool, host: str, port: int, reload: bool, embedded_scheduler: bool) -> None:
    """Serve the app for local use (production: gunicorn 'wsgi:app')."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if demo:
        with db.engine().connect() as connection:
            migrate.upgrade(connection)
        with db.new_session() as session:
            login = ensure_demo(session, password_hasher(), app.instance_path)
            session.commit()
        click.echo(
            f"\n  Demo login:  {login.email}  /  {login.password}\n"
            f"  (kept in {app.instance_path}/ for the next start)\n"
        )
    if embedded_scheduler and (not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"):
        start_embedded(app)
        click.echo("  Scheduler in the background (jobs: ivr_designer.jobs; runs them while")
        click.echo("  it holds the scheduler lock, so a separate `ivr-designer scheduler` is safe)")
    click.echo(f"  Serving on http://{host}:{port}/  (health: /healthz, API: /api/openapi.json)")
    run_simple(host, port, app, use_reloader=reload, threaded=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs and the outbox worker until stopped.

    Start as many as you like (several machines): one holds the database lock and runs
    the jobs, the others wait and take over within SCHEDULER_LOCK_SECONDS if it dies.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not logging.getLogger().handlers:  # job failures and warnings go to stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    runner = LockedScheduler(app, announce=lambda message: click.echo(f"  {message}"))
    for job in runner.scheduler.get_jobs():
        click.echo(f"  job {job.id}: {job.trigger}")
    click.echo(f"  Scheduler {runner.holder} starting (Ctrl+C to stop)")

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        runner.stop(timeout=0)

    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(KeyboardInterrupt):  # run() releases the lock on its way out
        runner.run()
    click.echo("  Scheduler stopped")


def _make_group() -> FlaskGroup:
    group = FlaskGroup(
        name="ivr-designer",
        create_app=create_app,
        add_default_commands=False,
        load_dotenv=False,
        help="ivr-designer: IVR and voicemail flow designer.",
    )
    for command in (
        flows_cli,
        db_cli,
        create_org_command,
        create_admin_command,
        create_token_command,
        run_command,
        scheduler_command,
        worker_command,
        shell_command,
        routes_command,
    ):
        group.add_command(command)
    return group


cli = _make_group()


def main() -> None:
    # The demo server should not reuse a stray FLASK_APP pointing elsewhere.
    os.environ.pop("FLASK_APP", None)
    cli.main(prog_name="ivr-designer")


__all__ = ["cli", "main"]
