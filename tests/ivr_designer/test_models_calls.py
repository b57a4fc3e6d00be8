"""The issue-4 tables: constraints the API and the webhook runtime rely on."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ivr_designer import crypto
from ivr_designer.models import Call, CallStep, Fax, Flow, FlowVersion, PhoneNumber, Voicemail
from tests.conftest import TEST_AUTH_TOKEN


def test_factories_build_a_routed_number(app, make_org, make_flow, make_box, make_number):
    org = make_org()
    flow = make_flow(org, "main", published=True)
    fax_box = make_box(org, "fax-main", kind="fax")
    number = make_number(org, "+4570000001", voice_flow=flow, fax_box=fax_box)
    assert flow.published_version.number == 1
    assert flow.published_version.document == flow.draft
    assert number.voice_flow.published_version_id == flow.published_version_id
    assert number.fax_box.key == "fax-main"
    stored = number.provider_account.auth_token_encrypted
    assert TEST_AUTH_TOKEN not in stored
    with app.app_context():
        assert crypto.decrypt(stored) == TEST_AUTH_TOKEN


def test_e164_is_unique_across_orgs(make_org, make_number, db_session):
    make_number(make_org(), "+4570000002")
    with pytest.raises(IntegrityError):
        make_number(make_org(), "+4570000002")
    db_session.rollback()


def test_version_numbers_are_unique_per_flow(make_org, make_flow, db_session):
    org = make_org()
    flow = make_flow(org, published=True)
    db_session.add(
        FlowVersion(
            org_id=org.id, flow_id=flow.id, number=1, document={}, message="", sha256="0" * 64
        )
    )
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_deleting_a_flow_removes_its_versions_and_keeps_call_records(
    make_org, make_flow, make_number, db_session
):
    org = make_org()
    flow = make_flow(org, published=True)
    number = make_number(org)
    call = Call(
        org_id=org.id,
        call_sid="CA1",
        phone_number_id=number.id,
        caller="+4511111111",
        called=number.e164,
        flow_version_id=flow.published_version_id,
    )
    db_session.add(call)
    db_session.flush()
    db_session.add(
        CallStep(
            org_id=org.id, call_id=call.id, seq=1, flow_name="x", node_id="a", node_type="play"
        )
    )
    db_session.commit()
    db_session.delete(flow)
    db_session.commit()
    db_session.expire_all()
    assert db_session.execute(select(FlowVersion).where(FlowVersion.org_id == org.id)).all() == []
    kept = db_session.get(Call, call.id)
    assert kept.flow_version_id is None
    assert [step.node_id for step in kept.steps] == ["a"]
    assert db_session.get(Flow, flow.id) is None


def test_a_box_holding_voicemails_cannot_be_deleted(make_org, make_box, db_session):
    org = make_org()
    box = make_box(org, "vm-main")
    db_session.add(Voicemail(org_id=org.id, box_id=box.id, recording_sid="RE1"))
    db_session.commit()
    db_session.delete(box)
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_a_number_blocks_deleting_its_provider_account(make_org, make_number, db_session):
    number = make_number(make_org())
    db_session.delete(number.provider_account)
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()
    assert db_session.get(PhoneNumber, number.id) is not None


def test_deleting_an_organisation_removes_all_of_its_telephony(
    make_org, make_flow, make_box, make_number, db_session
):
    """The guards between an org's own rows (number → flow, message → box) do not
    block the cascade from the organisation itself."""
    org = make_org()
    flow = make_flow(org, "main", published=True)
    vm_box = make_box(org, "vm")
    fax_box = make_box(org, "fx", kind="fax")
    number = make_number(org, voice_flow=flow, fax_box=fax_box)
    db_session.add_all(
        [
            Voicemail(org_id=org.id, box_id=vm_box.id, recording_sid="RE9"),
            Fax(org_id=org.id, box_id=fax_box.id, fax_sid="FX9"),
            Call(
                org_id=org.id,
                call_sid="CA9",
                phone_number_id=number.id,
                flow_version_id=flow.published_version_id,
            ),
        ]
    )
    db_session.commit()
    db_session.delete(org)
    db_session.commit()
    for model in (Flow, FlowVersion, PhoneNumber, Voicemail, Fax, Call):
        assert db_session.execute(select(model).where(model.org_id == org.id)).first() is None
