"""Typed dependencies shared by every router: settings, a transaction per request, language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from chainhub.errors import Language, parse_language
from chainhub.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _conn(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with engine.begin() as conn:
        yield conn


def _language(request: Request) -> Language:
    return parse_language(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )


SettingsDep = Annotated[Settings, Depends(_settings)]
ConnDep = Annotated[Connection, Depends(_conn)]
LanguageDep = Annotated[Language, Depends(_language)]
