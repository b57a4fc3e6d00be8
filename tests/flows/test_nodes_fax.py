from __future__ import annotations

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.nodes.base import Reference, Waits
from tests.flows.factories import node, render_node, take

FAX = registry.get("fax")


def test_declaration() -> None:
    props = FAX.load({"box": "fax-main"})
    assert FAX.waits is Waits.PROVIDER
    assert [(p.name, p.required) for p in FAX.ports(props)] == [("next", False)]
    assert list(FAX.references(props)) == [Reference("fax_box", "fax-main", "box")]


@pytest.mark.parametrize("props", [{}, {"box": ""}, {"box": "f", "pages": 3}])
def test_rejects_bad_properties(props: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FAX.load(props)


def test_receives_a_pdf_into_the_media_store() -> None:
    root, port = render_node(node("fax", {"box": "fax-main"}))
    assert port is None
    (receive,) = root
    assert receive.tag == "Receive"
    assert receive.attrib == {
        "action": "/hooks/voice/main/n/result",
        "method": "POST",
        "mediaType": "application/pdf",
        "storeMedia": "true",
    }


@pytest.mark.parametrize(
    ("params", "shown"), [({"FaxStatus": "received"}, "received"), ({}, None), ({"x": "y"}, None)]
)
def test_any_result_moves_on(params: dict[str, str], shown: str | None) -> None:
    result = take(node("fax", {"box": "f"}), params)
    assert (result.port, result.input, result.ends) == ("next", shown, False)
