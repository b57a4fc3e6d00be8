"""Two editors saving the same revision at the same time: exactly one wins."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.callflows import operations
from ivr_designer.errors import Conflict
from ivr_designer.models import Flow
from tests.ivr_designer.callflows.conftest import document


def _edited(text: str) -> dict:
    doc = document("main")
    doc["nodes"]["greeting"]["props"] = {"text": text}
    return doc


def test_the_revision_check_holds_when_both_read_before_either_writes(
    admin, make_flow, connection, db_session
):
    flow = make_flow(admin.org, "main")
    actor = Actor(admin.user)
    first = db_session
    second = Session(bind=connection, join_transaction_mode="create_savepoint")
    # Savepoints on one connection nest, so each session finishes before the next
    # starts; ``mine`` stays loaded (no expiry on commit) at revision 1.
    mine = operations.get_flow(first, actor, flow.id)
    first.commit()
    theirs = operations.get_flow(second, actor, flow.id)
    assert mine.draft_revision == theirs.draft_revision == 1
    operations.update_draft(second, actor, flow.id, _edited("theirs"), 1)
    second.commit()
    # The first session still holds revision 1 in memory: only the database knows better.
    with pytest.raises(Conflict):
        operations.update_draft(first, actor, flow.id, _edited("mine"), 1)
    first.rollback()
    first.expire_all()
    kept = first.get(Flow, flow.id)
    assert kept.draft_revision == 2
    assert kept.draft["nodes"]["greeting"]["props"] == {"text": "theirs"}
    second.close()
