"""The render context of a webhook: the pinned flow version, its sub-flows, URLs, audio."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from flows.context import Playable, RenderContext
from flows.errors import InvalidStep
from ivr_designer.calls.storage import ProviderFactory
from ivr_designer.hooks.fallback import say_language
from ivr_designer.hooks.lookup import LoadedVersion, Route, VersionCache, flow_versions
from ivr_designer.hooks.urls import VersionUrls
from ivr_designer.media.audio import AudioCache, resolve_audio

__all__ = ["HookEnv", "Pinned", "context_for", "pin"]


@dataclass(frozen=True)
class HookEnv:
    """Per-request plain values the handlers need besides the database."""

    base: str  # public base URL the provider used
    now: datetime
    media_key: bytes
    media_root: Path
    versions: VersionCache
    provider_factory: ProviderFactory
    audio: AudioCache | None = None


@dataclass(frozen=True)
class Pinned:
    """A flow version being run, with the sub-flows it can enter."""

    loaded: LoadedVersion
    flows: Mapping[str, LoadedVersion]


def pin(session: Session, route: Route, env: HookEnv, version_id: int) -> Pinned:
    loaded = env.versions.get(session, version_id)
    if loaded is None or loaded.org_id != route.org_id:
        raise InvalidStep(str(version_id), "no such flow version for this number")
    return Pinned(loaded, flow_versions(session, env.versions, route.org_id, loaded))


def context_for(
    session: Session,
    route: Route,
    env: HookEnv,
    pinned: Pinned,
    params: Mapping[str, str],
    state: Mapping[str, str],
) -> RenderContext:
    versions = {lv.name: lv.id for lv in pinned.flows.values()}
    versions[pinned.loaded.name] = pinned.loaded.id
    urls = VersionUrls(
        env.base,
        versions,
        org_id=route.org_id,
        media_key=env.media_key,
        now=int(env.now.timestamp()),
    )
    language = say_language(route.language)

    def audio(key: str) -> Playable:
        return resolve_audio(
            session,
            route.org_id,
            key,
            media_root=env.media_root,
            signed_url=urls.audio,
            language=language,
            cache=env.audio,
            today=env.now.date(),
        )

    return RenderContext(
        urls=urls,
        now=env.now,
        timezone=route.time_zone,
        language=language,
        caller=str(params.get("From", ""))[:64],
        call_sid=str(params.get("CallSid", ""))[:64],
        state=dict(state),
        flows={name: lv.flow for name, lv in pinned.flows.items() if lv is not pinned.loaded},
        audio=audio,
    )
