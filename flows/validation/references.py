"""Rules about what nodes point at outside the flow: audio, boxes, numbers, flows.

All of them need the organisation's `Catalogue`; without one (a flow file validated on
its own) they report nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from flows.catalogue import AudioInfo, BoxInfo, Catalogue
from flows.findings import Finding, Severity
from flows.nodes.base import Reference

__all__ = [
    "audio_problems",
    "boxes_nobody_receives",
    "missing_references",
    "music_lines_exceeded",
    "node_references",
]

_WHAT = {
    "audio": "audio",
    "voicemail_box": "voicemail box",
    "fax_box": "fax box",
    "number": "number",
    "flow": "flow",
}


def node_references(graph: nx.MultiDiGraph) -> Iterator[tuple[str, Reference]]:
    """(node id, reference) for every valid node, as `build_graph` collected them."""
    for node_id, data in graph.nodes(data=True):
        for ref in data["references"]:
            yield str(node_id), ref


def _known(catalogue: Catalogue, ref: Reference) -> bool:
    if ref.kind == "audio":
        return ref.id in catalogue.audio
    if ref.kind == "voicemail_box":
        return ref.id in catalogue.voicemail_boxes
    if ref.kind == "fax_box":
        return ref.id in catalogue.fax_boxes
    if ref.kind == "number":
        return ref.id in catalogue.numbers
    if ref.kind == "flow":
        return ref.id in catalogue.flows
    return True  # a kind this version does not check


def missing_references(graph: nx.MultiDiGraph, catalogue: Catalogue | None) -> list[Finding]:
    """Audio, boxes, numbers and flows a node names must exist in the organisation.

    >>> from flows.model import Flow
    >>> from flows.validation.graph import build_graph
    >>> missing_references(build_graph(Flow("f", "", {})), None)
    []
    """
    if catalogue is None:
        return []
    return [
        Finding(
            Severity.ERROR,
            f"ref.{ref.kind}_missing",
            f'node "{node_id}": {_WHAT.get(ref.kind, ref.kind)} "{ref.id}" does not exist',
            node=node_id,
            field=ref.field,
        )
        for node_id, ref in node_references(graph)
        if not _known(catalogue, ref)
    ]


def _audio_findings(node_id: str, ref: Reference, info: AudioInfo) -> Iterator[Finding]:
    name = info.name or info.id
    if not info.ready:
        yield Finding(
            Severity.ERROR,
            "audio.not_ready",
            f'node "{node_id}": audio "{name}" is not transcoded and playable yet',
            node=node_id,
            field=ref.field,
        )
    if info.is_music and not info.rights_valid:
        yield Finding(
            Severity.ERROR,
            "audio.music_unlicensed",
            f'node "{node_id}": "{name}" is music without valid rights '
            "(no KODA/Gramex agreement or royalty-free declaration covers it)",
            node=node_id,
            field=ref.field,
        )
    if ref.use is not None and ref.use != info.use:
        yield Finding(
            Severity.WARNING,
            "audio.wrong_use",
            f'node "{node_id}": audio "{name}" is meant as {info.use.replace("_", " ")} '
            f"but played as {ref.use.replace('_', ' ')}",
            node=node_id,
            field=ref.field,
        )


def audio_problems(graph: nx.MultiDiGraph, catalogue: Catalogue | None) -> list[Finding]:
    """Audio must be ready, music must carry valid rights (error), and an asset should be
    played as what it was uploaded for: hold music as a prompt is a warning."""
    if catalogue is None:
        return []
    findings: list[Finding] = []
    for node_id, ref in node_references(graph):
        if ref.kind == "audio" and ref.id in catalogue.audio:
            findings.extend(_audio_findings(node_id, ref, catalogue.audio[ref.id]))
    return findings


def music_lines_exceeded(graph: nx.MultiDiGraph, catalogue: Catalogue | None) -> list[Finding]:
    """More numbers would play KODA/Gramex music than the org's agreements cover: an
    error on every node that plays such music.

    The count is the numbers already playing it through other flows' live versions plus
    the numbers that answer with this flow. A flow no number answers with adds no
    number, so it is not reported; without any agreement (``music_lines_covered`` None)
    the music's rights are invalid and ``audio_problems`` already says so.

    >>> from flows.model import Flow
    >>> from flows.validation.graph import build_graph
    >>> music_lines_exceeded(build_graph(Flow("f", "", {})), Catalogue(music_lines_covered=0))
    []
    """
    if catalogue is None or catalogue.music_lines_covered is None:
        return []
    covered = catalogue.music_lines_covered
    wanted = catalogue.music_numbers_elsewhere + catalogue.numbers_for_flow
    if catalogue.numbers_for_flow <= 0 or wanted <= covered:
        return []
    findings = []
    for node_id, ref in node_references(graph):
        info = catalogue.audio.get(ref.id) if ref.kind == "audio" else None
        if info is None or not info.collective_licence:
            continue
        findings.append(
            Finding(
                Severity.ERROR,
                "audio.music_lines_exceeded",
                f'node "{node_id}": "{info.name or info.id}" is KODA/Gramex music; '
                f"{wanted} numbers would play KODA/Gramex music "
                f"but the agreements cover {covered} line{'' if covered == 1 else 's'}",
                node=node_id,
                field=ref.field,
            )
        )
    return findings


def boxes_nobody_receives(graph: nx.MultiDiGraph, catalogue: Catalogue | None) -> list[Finding]:
    """A voicemail or fax box without listeners: messages left there reach nobody."""
    if catalogue is None:
        return []
    findings = []
    for node_id, ref in node_references(graph):
        box: BoxInfo | None = None
        if ref.kind == "voicemail_box":
            box = catalogue.voicemail_boxes.get(ref.id)
        elif ref.kind == "fax_box":
            box = catalogue.fax_boxes.get(ref.id)
        if box is not None and box.listeners <= 0:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{ref.kind}.no_listeners",
                    f'node "{node_id}": nobody receives what is left in '
                    f'{_WHAT[ref.kind]} "{box.name or box.id}" (it has no listeners)',
                    node=node_id,
                    field=ref.field,
                )
            )
    return findings
