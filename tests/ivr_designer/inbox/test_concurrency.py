"""Two people press "claim" at the same moment: exactly one gets the item.

This runs outside the per-test rolled-back transaction (two real sessions, real
commits), so it cleans up after itself.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ivr_designer.errors import Conflict
from ivr_designer.inbox import operations
from ivr_designer.models import AuditEntry, Organisation, User, Voicemail, VoicemailBox
from ivr_designer.models.voicemail_box import voicemail_box_listener


def test_simultaneous_claims_have_one_winner(engine, backend):
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name="Race ApS", slug="race-inbox")
        session.add(org)
        session.flush()
        people = [
            User(org_id=org.id, email=f"{n}@race.example", name=n, password_hash="x")
            for n in ("Anna", "Carl")
        ]
        session.add_all(people)
        session.flush()
        box = VoicemailBox(org_id=org.id, key="race", name="Race", listeners=people)
        session.add(box)
        session.flush()
        voicemail = Voicemail(org_id=org.id, box_id=box.id, recording_sid="RE-race-inbox")
        session.add(voicemail)
        session.commit()
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def press(user_id: int) -> None:
        with Session(engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            barrier.wait()
            try:
                operations.claim(session, user, "voicemail", voicemail.id)
                time.sleep(0.3)  # hold the row while the other one tries
                session.commit()
                results[user.name] = "won"
            except Conflict as error:
                session.rollback()
                results[user.name] = error.message
            except OperationalError:  # SQLite: the second writer's snapshot is stale
                session.rollback()
                results[user.name] = "busy"

    try:
        threads = [threading.Thread(target=press, args=(p.id,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with Session(engine) as session:
            holder = session.execute(
                select(Voicemail.claimed_by_id).where(Voicemail.id == voicemail.id)
            ).scalar_one()
        winners = [name for name, outcome in results.items() if outcome == "won"]
        assert len(results) == 2
        assert len(winners) == 1, results
        assert holder == next(p.id for p in people if p.name == winners[0])
        (loser,) = set(results) - set(winners)
        if backend == "postgresql":
            # The row lock made the second claim wait and then see the first one.
            assert results[loser] == (
                f"this voicemail is claimed by {winners[0]}; only an administrator can take it over"
            )
    finally:
        with Session(engine) as session:
            session.execute(delete(AuditEntry).where(AuditEntry.org_id == org.id))
            session.execute(delete(Voicemail).where(Voicemail.org_id == org.id))
            session.execute(
                delete(voicemail_box_listener).where(voicemail_box_listener.c.box_id == box.id)
            )
            session.execute(delete(VoicemailBox).where(VoicemailBox.org_id == org.id))
            session.execute(delete(User).where(User.org_id == org.id))
            session.execute(delete(Organisation).where(Organisation.id == org.id))
            session.commit()
