"""The ivr-designer command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ivr_designer import cli as cli_module
from ivr_designer.cli import cli
from ivr_designer.demo import DEMO_ADMIN_EMAIL, DEMO_ORG_SLUG
from ivr_designer.models import AuditEntry, Organisation, User


def test_flows_needs_neither_app_nor_database(monkeypatch, tmp_path):
    """With a config the app would refuse, flows still works: it never builds the app."""
    monkeypatch.setenv("IVR_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["flows", "--help"])
    assert result.exit_code == 0, result.output
    assert "flows" in result.output


def test_create_org_admin_and_token(runner, client, db_session):
    result = runner.invoke(cli, ["create-org", "--name", "Acme A/S", "--slug", "acme"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        ["create-admin", "--email", "Boss@Acme.example", "--name", "Boss", "--org", "acme"],
        input="long-enough-passphrase\nlong-enough-passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.execute(select(User).where(User.email == "boss@acme.example")).scalar_one()
    assert user.role == "org_admin"
    assert user.org.slug == "acme"
    result = runner.invoke(cli, ["create-token", "--email", "boss@acme.example", "--name", "ci"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json["email"] == "boss@acme.example"
    actions = db_session.execute(select(AuditEntry.actor_email, AuditEntry.action)).all()
    assert ("cli", "create") in actions


def test_create_admin_without_org_makes_a_system_admin(runner, db_session, monkeypatch):
    monkeypatch.setenv("IVR_ADMIN_PASSWORD", "long-enough-passphrase")
    result = runner.invoke(cli, ["create-admin", "--email", "root@example.com", "--name", "Root"])
    assert result.exit_code == 0, result.output
    user = db_session.execute(select(User)).scalar_one()
    assert (user.role, user.org_id) == ("system_admin", None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["create-admin", "--email", "a@b.example", "--name", "A", "--org", "nope"],
            "no organisation",
        ),
        (["create-token", "--email", "nobody@example.com", "--name", "x"], "no user"),
    ],
)
def test_clear_errors(runner, args, message, monkeypatch):
    monkeypatch.setenv("IVR_ADMIN_PASSWORD", "long-enough-passphrase")
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.output


def test_duplicate_org_and_weak_password_are_refused(runner, make_org, monkeypatch):
    make_org(slug="taken")
    result = runner.invoke(cli, ["create-org", "--name", "X", "--slug", "taken"])
    assert result.exit_code == 1
    assert "already taken" in result.output
    monkeypatch.setenv("IVR_ADMIN_PASSWORD", "short")
    result = runner.invoke(cli, ["create-admin", "--email", "a@b.example", "--name", "A"])
    assert result.exit_code == 1
    assert "password" in result.output


def test_run_demo_is_idempotent(runner, app, db_session, monkeypatch):
    served = []
    monkeypatch.setattr(
        cli_module, "run_simple", lambda host, port, app, **kw: served.append((host, port))
    )
    monkeypatch.setattr(cli_module.migrate, "upgrade", lambda connection: None)
    first = runner.invoke(cli, ["run", "--demo", "--port", "5123"])
    assert first.exit_code == 0, first.output
    assert served == [("127.0.0.1", 5123)]
    second = runner.invoke(cli, ["run", "--demo"], env={"HOST": "0.0.0.0", "PORT": "5001"})
    assert second.exit_code == 0, second.output
    assert served[-1] == ("0.0.0.0", 5001)
    password = first.output.split(f"{DEMO_ADMIN_EMAIL}  /  ")[1].split()[0]
    assert password in second.output
    count = db_session.execute(
        select(func.count()).select_from(Organisation).where(Organisation.slug == DEMO_ORG_SLUG)
    ).scalar_one()
    assert count == 1
    response = app.test_client().post(
        "/api/auth/login", json={"email": DEMO_ADMIN_EMAIL, "password": password}
    )
    assert response.status_code == 200
    assert response.json["org"]["name"] == "Demo ApS"


def test_db_commands_on_a_fresh_database(tmp_path, monkeypatch):
    from ivr_designer import create_app, migrate

    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}", "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    head = migrate.head_revision()
    assert f"at {head}" in runner.invoke(cli, ["db", "upgrade"]).output
    assert f"current: {head}" in runner.invoke(cli, ["db", "current"]).output
    assert "at base" in runner.invoke(cli, ["db", "downgrade", "base"]).output
    assert "current: base" in runner.invoke(cli, ["db", "current"]).output
    from ivr_designer.extensions import db

    db.engine(app).dispose()
