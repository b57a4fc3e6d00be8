"""The tenant filter itself, below the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.models import Organisation, User
from ivr_designer.tenancy import get_scoped, scope_session, tenant_models


def test_tenant_models_are_declared():
    assert {Organisation, User} <= set(tenant_models())


def test_scoped_session_sees_only_its_org(connection, make_org, make_user):
    alpha, bravo = make_org(), make_org()
    mine, theirs = make_user(alpha), make_user(bravo)
    root = make_user(None, role="system_admin")
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        scope_session(session, alpha.id)
        assert session.execute(select(User.id)).scalars().all() == [mine.id]
        assert session.execute(select(Organisation.id)).scalars().all() == [alpha.id]
        assert get_scoped(session, User, theirs.id) is None
        assert get_scoped(session, User, root.id) is None
        joined = select(User).join(Organisation, User.org_id == Organisation.id)
        assert [u.id for u in session.execute(joined).scalars()] == [mine.id]
        counted = session.execute(
            select(User.id), execution_options={"skip_tenant_scope": True}
        ).scalars()
        assert set(counted) == {mine.id, theirs.id, root.id}
        scope_session(session, None)
        assert len(session.execute(select(User)).scalars().all()) == 3


def test_scope_also_limits_bulk_updates(connection, make_org, make_user, db_session):
    alpha, bravo = make_org(), make_org()
    make_user(alpha)
    theirs = make_user(bravo, name="Untouched")
    from sqlalchemy import update

    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        scope_session(session, alpha.id)
        session.execute(update(User).values(name="Changed"))
        session.commit()
    db_session.expire_all()
    assert db_session.get(User, theirs.id).name == "Untouched"
