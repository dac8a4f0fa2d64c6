"""The Mini App's JSON endpoints (issue #16; contract: README «Mini App»). Thin: check the
initData, parse, call ONE service method per item, serialise. Every permission check is the
services' (a forged request changes nothing); refusals carry the chat's text in the person's
language."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram.utils.web_app import WebAppUser
from aiohttp import web

from bot.webapp import render
from bot.webapp.auth import Unauthorized, check_init_data, display_name, from_header
from models.errors import DomainError, Forbidden, NotFound
from models.services import Services
from models.services.scoring import Expected

log = logging.getLogger(__name__)

#: the largest body a request may carry (a batch of 100 marks is about 12 KiB)
MAX_BODY = 64 * 1024
#: marks in one POST /marks
MAX_MARKS = 100
#: refusals answered 409: the state moved under the person, not their input
CONFLICTS = ("mark_conflict", "sheet_already_confirmed", "scores_locked")


@dataclass
class WebAppConfig:
    services: Services
    token: str
    #: the wall clock initData's auth_date is measured against (tests move it)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


CONFIG = web.AppKey("webapp_config", WebAppConfig)


class BadRequest(Exception):
    """The body or the query is not what the contract says (→ 400/413/422, nothing changed)."""

    def __init__(self, status: int, code: str, **args: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.args_ = args


@dataclass
class Caller:
    """The person behind a request: their Telegram id from a checked initData."""

    user: WebAppUser
    services: Services
    _lang: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    async def lang(self) -> str:
        """Their /language choice, else the initData's language (en… → English), else
        Russian — as the chat (bot.language). Looked up only when a text is needed."""
        if self._lang is None:
            code = (self.user.language_code or "").lower()
            detected = "en" if code.startswith("en") else "ru"
            viewer = await self.services.access.viewer(self.user.id)
            self._lang = viewer.language(detected)
        return self._lang


Handler = Callable[[web.Request, Caller], Awaitable[dict[str, Any]]]


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(
        body,
        status=status,
        dumps=lambda x: json.dumps(x, ensure_ascii=False),
        headers={"Cache-Control": "no-store"},
    )


def status_of(err: DomainError) -> int:
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFound):
        return 404
    if err.code.startswith(CONFLICTS):
        return 409
    return 422


def endpoint(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """initData checked first (401, nothing read); then the handler; refusals as JSON."""

    async def run(request: web.Request) -> web.Response:
        config = request.app[CONFIG]
        try:
            user = check_init_data(
                config.token, from_header(request.headers.get("Authorization")), config.clock()
            )
        except Unauthorized as exc:
            log.info("webapp: %s %s refused: %s", request.method, request.path, exc.reason)
            return _json(
                401,
                {"error": "unauthorized", "message": render.text("err-webapp-unauthorized", "ru")},
            )
        caller = Caller(user, config.services)
        try:
            return _json(200, await handler(request, caller))
        except BadRequest as exc:
            key = "err-webapp-" + exc.code.replace("_", "-")
            return _json(
                exc.status,
                {"error": exc.code, "message": render.text(key, await caller.lang(), **exc.args_)},
            )
        except DomainError as err:
            return _json(
                status_of(err),
                {"error": err.code, "message": render.message(err, await caller.lang())},
            )

    return run


# --------------------------------------------------------------------------- parsing


#: ids and marks fit the database's integer columns; anything larger is not ours (422)
_INT_LIMIT = 2**31


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= _INT_LIMIT:
        raise BadRequest(422, "bad_input", field=name)
    return value


def _query_int(request: web.Request, name: str, *, required: bool = True) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        if required:
            raise BadRequest(422, "bad_input", field=name)
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= _INT_LIMIT:
        raise BadRequest(422, "bad_input", field=name)
    return int(raw)


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object of the body, at most MAX_BODY bytes (413), well-formed (400)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BadRequest(413, "too_large")
    size, chunks = 0, []
    async for chunk in request.content.iter_chunked(16 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(413, "too_large")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest(400, "bad_request") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "bad_request")
    return body


@dataclass(frozen=True, slots=True)
class MarkIn:
    id: str
    target: int
    aspect: int
    value: int
    expect: Expected | None


def _marks(body: dict[str, Any]) -> list[MarkIn]:
    raw = body.get("marks")
    if not isinstance(raw, list):
        raise BadRequest(400, "bad_request")
    if not 1 <= len(raw) <= MAX_MARKS:
        raise BadRequest(422, "too_many_marks", limit=MAX_MARKS)
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest(422, "bad_input", field="marks")
        mark_id = item.get("id")
        if not isinstance(mark_id, str) or not 0 < len(mark_id) <= 100:
            raise BadRequest(422, "bad_input", field="id")
        expect = item.get("expect")
        if expect is not None:
            if not isinstance(expect, dict):
                raise BadRequest(422, "bad_input", field="expect")
            value = expect.get("value")
            expect = Expected(
                None if value is None else _int(value, "expect.value"),
                _int(expect.get("round", 0), "expect.round"),
            )
        out.append(
            MarkIn(
                mark_id,
                _int(item.get("target"), "target"),
                _int(item.get("aspect"), "aspect"),
                _int(item.get("value"), "value"),
                expect,
            )
        )
    return out


# --------------------------------------------------------------------------- endpoints


async def session(request: web.Request, caller: Caller) -> dict[str, Any]:
    lang = await caller.lang()
    schemes = await caller.services.schemes.schemes_for(caller.id)
    return {
        "user": {"id": caller.id, "name": display_name(caller.user)},
        "lang": lang,
        "texts": render.page_texts(lang),
        "schemes": [
            {"id": b.id, "title": b.title, "stage": b.stage} for b in schemes if "expert" in b.roles
        ],
    }


async def worklist(request: web.Request, caller: Caller) -> dict[str, Any]:
    scheme_id = _query_int(request, "scheme")
    assert scheme_id is not None
    return render.worklist(await caller.services.marks.worklist(caller.id, scheme_id))


async def sheet(request: web.Request, caller: Caller) -> dict[str, Any]:
    target_id = _query_int(request, "target")
    assert target_id is not None
    found = await caller.services.expert_sheets.sheet(caller.id, target_id)
    return render.sheet(found, await caller.lang())


async def marks(request: web.Request, caller: Caller) -> dict[str, Any]:
    """Each mark its own ``enter_mark`` (one transaction, the chat's locks, re-score rule
    and audit). A conflict or a re-score asked by the mark is answered with the cell as the
    sheet shows it now (one read per participant of the batch, only then)."""
    wanted = _marks(await _body(request))
    services = caller.services
    results: list[dict[str, Any]] = []
    reread: set[int] = set()
    for m in wanted:
        result: dict[str, Any] = {"id": m.id, "message": "", "flagged": False}
        try:
            out = await services.marks.enter_mark(
                caller.id, m.target, m.aspect, m.value, expect=m.expect
            )
        except DomainError as err:
            conflict = err.code == "mark_conflict"
            result.update(
                status="conflict" if conflict else "refused",
                message=render.message(err, await caller.lang()),
                cell=None,
            )
            if conflict:
                reread.add(m.target)
        else:
            result.update(
                status="saved", flagged=out.flagged, cell=render.saved_cell(m.aspect, out)
            )
            if out.flagged:
                reread.add(m.target)
        results.append(result)
    if reread:
        lang = await caller.lang()
        cells: dict[tuple[int, int], dict[str, Any]] = {}
        for target_id in reread:
            try:
                found = await services.expert_sheets.sheet(caller.id, target_id)
            except DomainError:
                continue
            for sec in found.sections:
                for c in sec.cells:
                    cells[(target_id, c.aspect_id)] = render.cell(c, lang)
        for m, result in zip(wanted, results, strict=True):
            if m.target in reread and (m.target, m.aspect) in cells:
                result["cell"] = cells[(m.target, m.aspect)]
    return {"results": results}


async def confirm(request: web.Request, caller: Caller) -> dict[str, Any]:
    body = await _body(request)
    scheme_id = _int(body.get("scheme"), "scheme")
    await caller.services.marks.confirm_sheet(caller.id, scheme_id)
    return {"ok": True, "message": render.text("sco-confirmed", await caller.lang())}
