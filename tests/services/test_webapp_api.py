"""The Mini App's HTTP API over the real services (issue #16, item 1), on SQLite and
PostgreSQL: initData checked before anything is read, the person's language, one
``enter_mark`` per mark with the chat's conflict/re-score/audit rules, R-SCO-4 on confirming,
and a clear refusal (nothing changed) for a wrong person or a malformed request."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.webapp.server import create_webapp_app
from models.services import Services
from models.tables import AuditRecord, Score
from tests.builders import CHIEF, G1, MENTOR, setup
from tests.webappkit import TEST_TOKEN, auth_header, sign_init_data

E = G1[0]  # 100004: an expert of G1 only (subcriterion 1.1: 1.1.1 judgement, 1.1.b, 1.1.d)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_webapp_app(services, TEST_TOKEN))) as c:
        yield c


def _as(user: int, lang: str = "ru", **kw: Any) -> dict[str, str]:
    return auth_header(
        sign_init_data(TEST_TOKEN, {"id": user, "first_name": "Анна", "language_code": lang}, **kw)
    )


async def _get(c: TestClient[Any, Any], path: str, user: int, **params: Any) -> tuple[int, Any]:
    r = await c.get(f"/webapp/api/{path}", params=params, headers=_as(user))
    return r.status, await r.json()


async def _post(c: TestClient[Any, Any], path: str, user: int, body: Any) -> tuple[int, Any]:
    r = await c.post(f"/webapp/api/{path}", json=body, headers=_as(user))
    return r.status, await r.json()


def _mark(target: int, aspect: int, value: int, expect: int | None = None, rnd: int = 0) -> Any:
    return {
        "id": f"m-{target}-{aspect}-{value}",
        "target": target,
        "aspect": aspect,
        "value": value,
        "expect": {"value": expect, "round": rnd},
    }


async def _scores(services: Services) -> dict[tuple[int, int, int], int]:
    async with services.ctx.sessionmaker() as s:
        rows = (await s.execute(select(Score))).scalars().all()
    return {(r.target_id, r.aspect_id, r.expert_telegram_id): r.value for r in rows}


async def _audit_count(services: Services, action: str) -> int:
    async with services.ctx.sessionmaker() as s:
        return (
            await s.execute(select(func.count()).where(AuditRecord.action == action))
        ).scalar_one()


async def test_session_in_the_persons_language(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    r = await client.get("/webapp/api/session", headers=_as(E, "ru"))
    body = await r.json()
    assert r.status == 200 and body["lang"] == "ru" and body["user"] == {"id": E, "name": "Анна"}
    assert [s["id"] for s in body["schemes"]] == [st.scheme_id]
    assert body["texts"]["webapp-state-saved"] == "сохранено"
    assert body["texts"]["sco-judgement-scale"].startswith("0 — ниже требований")
    assert all("<b>" not in v for v in body["texts"].values())
    # Telegram in English: English; a /language choice wins over Telegram's language
    r = await client.get("/webapp/api/session", headers=_as(E, "en"))
    assert (await r.json())["texts"]["webapp-state-saved"] == "saved"
    await services.participants.set_language(E, "ru")
    r = await client.get("/webapp/api/session", headers=_as(E, "en"))
    assert (await r.json())["lang"] == "ru"
    # the chief expert scores in no group: no scheme to open
    _, body = await _get(client, "session", CHIEF)
    assert body["schemes"] == []


async def test_worklist_sheet_and_a_batch_of_marks(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects
    status, wl = await _get(client, "worklist", E, scheme=st.scheme_id)
    assert status == 200 and wl["scheme"]["id"] == st.scheme_id
    assert [(x["id"], x["scored"], x["total"]) for x in wl["targets"]] == [(t, 0, 3)]
    assert (wl["confirmed"], wl["scores_locked"], wl["can_confirm"]) == (False, False, False)
    status, sheet = await _get(client, "sheet", E, target=t)
    assert status == 200 and sheet["editable"] and (sheet["scored"], sheet["total"]) == (0, 3)
    [sec] = sheet["sections"]
    cells = {c["code"]: c for c in sec["cells"]}
    assert (sec["code"], sec["missing"]) == ("1.1", 3)
    assert [o["label"] for o in cells["1.1.b"]["options"]] == ["Да", "Нет"]
    assert [o["value"] for o in cells["1.1.1"]["options"]] == [0, 1, 2, 3]
    assert cells["1.1.1"]["kind"] == "judgement" and cells["1.1.1"]["max_points"] == "2.00"
    assert cells["1.1.d"]["value"] is None and cells["1.1.d"]["round"] == 0

    batch = [_mark(t, a["1.1.1"], 2), _mark(t, a["1.1.b"], 1), _mark(t, a["1.1.d"], 1)]
    status, out = await _post(client, "marks", E, {"marks": batch})
    assert status == 200
    assert [(r["id"], r["status"], r["flagged"]) for r in out["results"]] == [
        (m["id"], "saved", False) for m in batch
    ]
    assert out["results"][0]["cell"]["value"] == 2 and out["results"][0]["cell"]["stale"] is False
    assert await _scores(services) == {
        (t, a["1.1.1"], E): 2,
        (t, a["1.1.b"], E): 1,
        (t, a["1.1.d"], E): 1,
    }
    _, wl = await _get(client, "worklist", E, scheme=st.scheme_id)
    assert (wl["scored"], wl["total"], wl["can_confirm"]) == (3, 3, True)
    # English option labels for an English user
    r = await client.get("/webapp/api/sheet", params={"target": t}, headers=_as(E, "en"))
    labels = [o["label"] for c in (await r.json())["sections"][0]["cells"] for o in c["options"]]
    assert "Yes" in labels and "Да" not in labels


async def test_a_conflict_and_a_resend(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    # the page saw the cell empty; the chat set 1 meanwhile
    await services.marks.enter_mark(E, t, a, 1)
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 3, expect=None)]})
    [res] = out["results"]
    assert res["status"] == "conflict" and "изменили в другом месте" in res["message"]
    assert (res["cell"]["value"], res["cell"]["code"]) == (1, "1.1.1")
    assert (await _scores(services))[(t, a, E)] == 1
    # a change from the current value: saved; the same mark sent again (answer lost): saved,
    # one audit row only
    before = await _audit_count(services, "score.enter")
    for _ in range(2):
        _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 3, expect=1)]})
        assert out["results"][0]["status"] == "saved"
    assert await _audit_count(services, "score.enter") == before + 1
    assert (await _scores(services))[(t, a, E)] == 3


async def test_the_mark_that_completes_a_spread_flags_the_aspect(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    """R-SCO-1: the group's marks 0, 0, 2, 3 differ by more than one: re-score."""
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    for e, v in zip(G1[1:], (0, 0, 2), strict=True):
        await services.marks.enter_mark(e, t, a, v)
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 3)]})
    [res] = out["results"]
    assert (res["status"], res["flagged"]) == ("saved", True)
    assert (res["cell"]["stale"], res["cell"]["round"]) == (True, 1)
    assert res["cell"]["group_marks"] == [0, 0, 2, 3]
    # the page still sends round 0: refused as a conflict, nothing written
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 2, expect=3, rnd=0)]})
    assert out["results"][0]["status"] == "conflict"
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 2, expect=3, rnd=1)]})
    assert (out["results"][0]["status"], out["results"][0]["cell"]["stale"]) == ("saved", False)


@pytest.mark.parametrize(
    "auth",
    [
        {"hash": "0" * 64},
        # seconds from the moment the test runs (not from collection: the suite takes minutes)
        {"age": 61 * 60},
        {"age": -5 * 60},
        {"token": "999:OTHER"},
        None,
    ],
)
async def test_wrong_init_data_is_401_and_nothing_is_written(
    services: Services, contest_id: int, client: TestClient[Any, Any], auth: Any
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    if auth is None:
        headers: dict[str, str] = {}
    else:
        kw = dict(auth)
        token = kw.pop("token", TEST_TOKEN)
        if "age" in kw:
            kw["auth_date"] = time.time() - kw.pop("age")
        headers = auth_header(sign_init_data(token, E, **kw))
    for method, path, body in (
        ("POST", "marks", {"marks": [_mark(t, a, 2)]}),
        ("POST", "confirm", {"scheme": st.scheme_id}),
        ("GET", "session", None),
    ):
        r = await client.request(method, f"/webapp/api/{path}", json=body, headers=headers)
        got = await r.json()
        assert r.status == 401 and got["error"] == "unauthorized"
        assert "Доступ запрещён" in got["message"]
    assert await _scores(services) == {}


async def test_a_person_who_is_not_an_expert_is_refused(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    stranger = 555777
    status, body = await _get(client, "worklist", stranger, scheme=st.scheme_id)
    assert status == 403 and body["error"] == "not_group_member"
    assert body["message"] == "Вы не входите ни в одну группу оценки этой схемы."
    status, body = await _get(client, "sheet", stranger, target=t)
    assert status == 403
    _, out = await _post(client, "marks", stranger, {"marks": [_mark(t, a, 2)]})
    assert out["results"][0]["status"] == "refused" and out["results"][0]["cell"] is None
    assert "только экспертам" in out["results"][0]["message"]
    assert await _scores(services) == {}


async def test_the_mentor_does_not_score_their_participant(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=2)  # MENTOR mentors targets[0] (R-ROLE-3)
    own, other = st.targets
    a = st.aspects["1.2.1"]  # G2's subcriterion
    status, body = await _get(client, "sheet", MENTOR, target=own)
    assert status == 403 and body["error"] == "mentor_conflict"
    _, out = await _post(client, "marks", MENTOR, {"marks": [_mark(own, a, 2), _mark(other, a, 2)]})
    assert [r["status"] for r in out["results"]] == ["refused", "saved"]
    assert "наставник" in out["results"][0]["message"]
    assert await _scores(services) == {(other, a, MENTOR): 2}


async def test_confirm_needs_every_mark(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    """R-SCO-4: refused while something is missing; then confirmed once."""
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects
    await _post(client, "marks", E, {"marks": [_mark(t, a["1.1.1"], 2), _mark(t, a["1.1.b"], 1)]})
    status, body = await _post(client, "confirm", E, {"scheme": st.scheme_id})
    assert status == 422 and body["error"] == "sheet_incomplete" and "не оценено" in body["message"]
    await _post(client, "marks", E, {"marks": [_mark(t, a["1.1.d"], 0)]})
    status, body = await _post(client, "confirm", E, {"scheme": st.scheme_id})
    assert status == 200 and body == {"ok": True, "message": body["message"]}
    assert "Оценки подтверждены" in body["message"]
    status, body = await _post(client, "confirm", E, {"scheme": st.scheme_id})
    assert status == 409 and body["error"] == "sheet_already_confirmed"
    # confirmed: a change is refused (R-SCO-4), the mark stays
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a["1.1.d"], 2, expect=0)]})
    assert out["results"][0]["status"] == "refused"
    assert (await _scores(services))[(t, a["1.1.d"], E)] == 0


async def test_malformed_requests_change_nothing(
    services: Services, contest_id: int, client: TestClient[Any, Any]
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    url, h = "/webapp/api/marks", _as(E)
    r = await client.post(url, data=b"{not json", headers=h)
    assert r.status == 400 and (await r.json())["error"] == "bad_request"
    r = await client.post(url, json=[1, 2], headers=h)
    assert r.status == 400
    r = await client.post(url, json={"marks": [{**_mark(t, a, 2), "value": "2"}]}, headers=h)
    body = await r.json()
    assert r.status == 422 and body["error"] == "bad_input" and "value" in body["message"]
    r = await client.post(url, json={"marks": [_mark(t, a, 1)] * 101}, headers=h)
    assert r.status == 422 and (await r.json())["error"] == "too_many_marks"
    r = await client.post(url, json={"marks": []}, headers=h)
    assert r.status == 422
    r = await client.post(url, data=b"{" + b" " * 70_000 + b"}", headers=h)
    assert r.status == 413
    r = await client.get("/webapp/api/sheet", params={"target": "x"}, headers=h)
    assert r.status == 422
    # ids beyond the database's integers, or digits that are not ASCII: refused, never a 500
    r = await client.post(url, json={"marks": [{**_mark(t, a, 2), "target": 10**30}]}, headers=h)
    assert r.status == 422 and (await r.json())["error"] == "bad_input"
    for raw in ("99999999999999999", "²"):
        r = await client.get("/webapp/api/sheet", params={"target": raw}, headers=h)
        assert r.status == 422, raw
    # a value outside the scale: refused by the service, nothing written
    _, out = await _post(client, "marks", E, {"marks": [_mark(t, a, 7)]})
    assert out["results"][0]["status"] == "refused"
    assert await _scores(services) == {}


async def test_the_page_is_served_and_nothing_outside_its_folder(
    client: TestClient[Any, Any],
) -> None:
    r = await client.get("/webapp/")
    assert r.status == 200 and "text/html" in r.headers["Content-Type"]
    assert r.headers["Cache-Control"] == "no-cache"
    r = await client.get("/webapp", allow_redirects=False)
    assert r.status == 308 and r.headers["Location"] == "/webapp/"
    for bad in ("/webapp/static/../server.py", "/webapp/static/%2e%2e/api.py", "/webapp/static/x"):
        assert (await client.get(bad)).status == 404
