"""Protocols signed in the chat, their consequences and verification (R-PRO-1…4, R-RES-1…3,
R-REM-3, R-REM-6, R-COO-2) at the service level, on SQLite and on real PostgreSQL.

The ``protocol`` job is run as the worker runs it (``run_job``); rendering a PDF takes a
third of a second, so each test renders only the versions it signs or verifies."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.callbacks import button_data
from models import rules
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services import protocols as protocol_steps
from models.tables import (
    Contest,
    Delivery,
    EvaluationTarget,
    Protocol,
    ProtocolSignature,
    ProtocolVersion,
    Scheme,
)
from notifications.reminders import REGISTRY, UnsignedProtocolReminder
from notifications.sweep import sweep
from tests.builders import CHIEF, G1, G2, protocol_of, render, score_all, setup
from tests.conftest import COORD_MOSCOW, COORD_OBLAST, FEDERAL, MSK, TEST_KEY, JobLog
from workers.jobs import run_job
from workers.runtime import WorkerRuntime

SIGNERS = tuple(
    dict.fromkeys((CHIEF, *G1, *G2))
)  # of the scheme-lock protocol: the chief and every group member
NAMES = {
    CHIEF: "Соколов Павел Андреевич",
    100004: "Орлов Дмитрий Игоревич",
    100005: "Лебедева Ирина Михайловна",
}
STRANGER = 555999


# --------------------------------------------------------------------------- helpers


async def pdf_of(services: Services, protocol_id: int, version: int) -> bytes:
    async with services.ctx.sessionmaker() as s:
        path = (
            await s.execute(
                select(ProtocolVersion.pdf_path).where(
                    ProtocolVersion.protocol_id == protocol_id, ProtocolVersion.version == version
                )
            )
        ).scalar_one()
    assert path is not None
    return (Path(services.ctx.files_dir) / path).read_bytes()


async def outbox(services: Services, reason: str | None = None) -> list[Delivery]:
    async with services.ctx.sessionmaker() as s:
        stmt = select(Delivery).order_by(Delivery.id)
        if reason is not None:
            stmt = stmt.where(Delivery.reason == reason)
        return list((await s.execute(stmt)).scalars())


async def signatures(services: Services) -> list[tuple[Any, ...]]:
    async with services.ctx.sessionmaker() as s:
        return sorted(
            (
                await s.execute(
                    select(
                        ProtocolSignature.version_id,
                        ProtocolSignature.telegram_id,
                        ProtocolSignature.decision,
                        ProtocolSignature.reason,
                    )
                )
            ).all()
        )


async def state(services: Services) -> tuple[Any, ...]:
    """What a refused action must leave as it was."""
    async with services.ctx.sessionmaker() as s:
        protocols = sorted(
            (
                await s.execute(
                    select(
                        Protocol.id,
                        Protocol.status,
                        Protocol.current_version,
                        Protocol.completed_at,
                    )
                )
            ).all()
        )
        deliveries = (await s.execute(select(func.count()).select_from(Delivery))).scalar_one()
    return protocols, await signatures(services), deliveries


async def refused(services: Services, exc: type[DomainError], code: str, coro: Any) -> DomainError:
    before = await state(services)
    with pytest.raises(exc) as err:
        await coro
    assert err.value.code == code, err.value
    assert await state(services) == before
    return err.value


async def issue(
    services: Services,
    scheme_id: int,
    contest_id: int,
    paragraphs: list[str],
    signers: list[tuple[int, str]],
) -> tuple[int, int, bool]:
    """A protocol of its own (a pre-appeal decision) with a handful of signers."""
    async with services.protocols.uow() as uow:
        return await protocol_steps.issue(
            uow,
            contest_id=contest_id,
            scheme_id=scheme_id,
            kind="pre_appeal",
            subject_key="pre_appeal:test",
            title="Решение по преапелляции",
            paragraphs=paragraphs,
            tables=[],
            signers=signers,
            actor=CHIEF,
        )


def files(root: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    )


# --------------------------------------------------------------------------- issue, render, sign, refuse


async def test_issued_protocol_is_rendered_once_and_sent_to_each_signer(
    services: Services, contest_id: int, jobs: JobLog, clock: FixedClock
) -> None:
    st = await setup(
        services, contest_id, count=1, mentor=False
    )  # the scheme lock issues its protocol
    protocol = await protocol_of(services, "scheme_lock")
    assert (protocol.status, protocol.current_version, protocol.scheme_id) == (
        "signing",
        1,
        st.scheme_id,
    )
    # before the PDF is made nobody signs (they have not seen the document)
    await refused(
        services, DomainError, "protocol_not_ready", services.protocols.sign(100004, protocol.id, 1)
    )
    [version_id] = await render(services, jobs)
    notes = await outbox(services, "protocol-sign")
    assert sorted(d.recipient_chat_id for d in notes) == sorted(SIGNERS)
    data = await pdf_of(services, protocol.id, 1)
    sha = hashlib.sha256(data).hexdigest()
    for d in notes:
        assert (
            d.message_key == "pro-note-sign"
            and d.message_args["title"] == protocol.title
            and d.message_args["version"] == 1
        )
        assert d.message_args["_document"] == {
            "path": f"{sha[:2]}/{sha}",
            "name": f"protocol-{protocol.id}-v1.pdf",
        }
        [[sign, refuse]] = d.keyboard
        assert (sign["text"], sign["do"], refuse["text"], refuse["do"]) == (
            "pro-btn-sign",
            "sign",
            "pro-btn-refuse",
            "refuse",
        )
        assert (
            sign["protocol"] == str(protocol.id)
            and sign["version"] == "1"
            and sign["contest_id"] == str(contest_id)
        )
    assert data.startswith(b"%PDF")
    # the job again (a redelivered queue message): nothing new is written or sent
    root = Path(services.ctx.files_dir)
    before = (files(root), len(await outbox(services)))
    rt = WorkerRuntime(
        None, services.ctx.sessionmaker, clock, services, root, button_data, owns_resources=False
    )  # type: ignore[arg-type]
    assert await run_job(rt, "protocol", version_id) == 0
    assert (files(root), len(await outbox(services))) == before
    view = await services.protocols.view(CHIEF, protocol.id)
    assert view.pdf_sha256 == sha and [m.telegram_id for m in view.missing] == list(SIGNERS)

    # signing records who, when, and the hashes of the content and of the very file
    clock.advance(minutes=5)
    view = await services.signing.sign(100004, protocol.id, 1)
    async with services.ctx.sessionmaker() as s:
        [sig] = (await s.execute(select(ProtocolSignature))).scalars().all()
    assert (sig.telegram_id, sig.decision, sig.reason) == (100004, "signed", None)
    assert (
        sig.at == clock.now()
        and sig.content_sha256 == view.content_sha256
        and sig.pdf_sha256 == sha
    )
    assert (
        next(x for x in view.signers if x.telegram_id == 100004).decision == "signed"
        and view.status == "signing"
    )
    await refused(
        services,
        DomainError,
        "protocol_already_signed",
        services.protocols.sign(100004, protocol.id, 1),
    )

    # a refusal needs a reason; the chief expert is told who refused and why
    await refused(
        services,
        DomainError,
        "refusal_reason_required",
        services.protocols.refuse(100005, protocol.id, 1, "   "),
    )
    await refused(
        services,
        DomainError,
        "reason_too_long",
        services.protocols.refuse(100005, protocol.id, 1, "я" * 1001),
    )
    view = await services.protocols.refuse(100005, protocol.id, 1, "  В таблице не та группа  ")
    assert [(x.telegram_id, x.reason) for x in view.refusals] == [
        (100005, "В таблице не та группа")
    ]
    [note] = await outbox(services, "protocol-refused")
    assert note.recipient_chat_id == CHIEF and note.message_key == "pro-note-refused"
    assert (
        note.message_args["why"] == "В таблице не та группа"
        and note.message_args["name"] == NAMES[100005]
    )
    await refused(
        services,
        DomainError,
        "protocol_already_refused",
        services.protocols.refuse(100005, protocol.id, 1, "Ещё раз"),
    )

    # someone who is not a signer can neither sign nor refuse; nothing changes
    for who in (COORD_MOSCOW, STRANGER):
        await refused(
            services,
            Forbidden,
            "not_a_protocol_signer",
            services.protocols.sign(who, protocol.id, 1),
        )
        await refused(
            services,
            Forbidden,
            "not_a_protocol_signer",
            services.protocols.refuse(who, protocol.id, 1, "Не согласен"),
        )
    await refused(
        services,
        Forbidden,
        "not_a_protocol_signer",
        services.signing.sign(STRANGER, protocol.id, 1),
    )
    # the refuser changes their mind — only deliberately (issue #12: «Подписать» and «Отказаться»
    # together never both count; «Всё-таки подписать» under the refusal is over_refusal)
    await refused(
        services,
        DomainError,
        "protocol_already_refused",
        services.protocols.sign(100005, protocol.id, 1),
    )
    for who in SIGNERS:
        if who != 100004:
            view = await services.protocols.sign(who, protocol.id, 1, over_refusal=who == 100005)
    assert view.status == "complete" and view.completed_at == clock.now() and view.missing == ()
    assert (
        await outbox(services, "protocol-complete") == []
    )  # only the score lock tells of dismantling


# --------------------------------------------------------------------------- versions and verification


async def test_new_content_is_a_new_version_signed_again_and_verification(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    jobs.take("protocol")  # the scheme lock's protocol is not needed here
    signers = [(CHIEF, "chief"), (100004, "expert")]
    pid, version, new = await issue(
        services, st.scheme_id, contest_id, ["Предложение: оставить баллы."], signers
    )
    assert (version, new) == (1, True)
    # a scoring step may sign in its own transaction before the PDF exists (the chief opening
    # a correction): that signature binds to the content hash and is not asked for again
    async with services.protocols.uow() as uow:
        assert not await protocol_steps.sign_in(uow, "pre_appeal", "pre_appeal:test", CHIEF)
    await render(services, jobs)
    assert [
        d.recipient_chat_id
        for d in await outbox(services, "protocol-sign")
        if d.subject == f"protocol:{pid}:v1"
    ] == [100004]
    v1_pdf = await pdf_of(services, pid, 1)
    view = await services.protocols.sign(100004, pid, 1)
    assert view.status == "complete"

    # the content changes: version 2, every signature must be given again
    clock.advance(hours=1)
    assert await issue(
        services, st.scheme_id, contest_id, ["Предложение: снять 0,5 балла."], signers
    ) == (pid, 2, True)
    view = await services.protocols.view(CHIEF, pid)
    assert (view.version, view.status, view.completed_at) == (2, "signing", None)
    assert [m.telegram_id for m in view.missing] == [CHIEF, 100004] and all(
        m.decision is None for m in view.signers
    )
    assert not await services.protocols.complete("pre_appeal", "pre_appeal:test")
    async with services.ctx.sessionmaker() as s:
        v1 = (
            await s.execute(
                select(ProtocolVersion).where(
                    ProtocolVersion.protocol_id == pid, ProtocolVersion.version == 1
                )
            )
        ).scalar_one()
        kept = (
            (
                await s.execute(
                    select(ProtocolSignature.telegram_id).where(
                        ProtocolSignature.version_id == v1.id
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(kept) == [100004, CHIEF]  # history stays
    # the same content again makes no version and no job
    assert await issue(
        services, st.scheme_id, contest_id, ["Предложение: снять 0,5 балла."], signers
    ) == (pid, 2, False)
    [v2_id] = jobs.take("protocol")
    jobs.jobs.append(("protocol", v2_id))
    # a button of version 1 names the new version; version 2 waits for its PDF
    err = await refused(
        services, DomainError, "protocol_changed", services.protocols.sign(100004, pid, 1)
    )
    assert err.args_ == {"version": 2}
    await refused(services, DomainError, "protocol_changed", services.signing.sign(100004, pid, 1))
    await refused(
        services, DomainError, "protocol_not_ready", services.protocols.sign(100004, pid, 2)
    )
    await render(services, jobs)
    assert sorted(
        d.recipient_chat_id
        for d in await outbox(services, "protocol-sign")
        if d.subject == f"protocol:{pid}:v2"
    ) == [100004, CHIEF]
    view = await services.protocols.sign(CHIEF, pid, 2)
    assert view.status == "signing" and [m.telegram_id for m in view.missing] == [100004]
    clock.advance(minutes=7)
    view = await services.protocols.sign(100004, pid, 2)
    assert view.status == "complete"
    v2_pdf = await pdf_of(services, pid, 2)
    assert v2_pdf != v1_pdf

    # verification: the exact file of the current version
    found = await services.protocols.verify(v2_pdf)
    assert (
        found.found
        and found.current
        and found.version == 2
        and found.protocol is not None
        and found.protocol.id == pid
    )
    assert (
        found.pdf_sha256 == hashlib.sha256(v2_pdf).hexdigest()
        and found.protocol.status == "complete"
    )
    assert [(x.telegram_id, x.name, x.at) for x in found.signed_by] == [
        (CHIEF, NAMES[CHIEF], clock.now() - timedelta(minutes=7)),
        (100004, NAMES[100004], clock.now()),
    ]
    # a superseded version is recognised, but it is not the current one
    old = await services.protocols.verify(v1_pdf)
    assert (
        old.found
        and old.version == 1
        and not old.current
        and sorted(x.telegram_id for x in old.signed_by) == [100004, CHIEF]
    )  # the chief's by the content hash
    # one byte changed: no match
    altered = bytearray(v2_pdf)
    altered[len(altered) // 2] ^= 0x01
    assert not (await services.protocols.verify(bytes(altered))).found
    assert not (await services.protocols.verify(v2_pdf + b"\n")).found

    # the same from the command line, on the same database
    (tmp_path / "cli").mkdir()
    good, bad, superseded = (
        tmp_path / "cli" / "protocol.pdf",
        tmp_path / "cli" / "altered.pdf",
        tmp_path / "cli" / "old.pdf",
    )
    good.write_bytes(v2_pdf)
    bad.write_bytes(bytes(altered))
    superseded.write_bytes(v1_pdf)
    for name in ("REDIS_URL", "BOT_TOKEN", "ADMIN_IDS", "FILES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("PD_ENCRYPTION_KEY", TEST_KEY.decode())
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "cli" / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path / "cli")  # no stray .env
    from bot.__main__ import main

    capsys.readouterr()
    assert await asyncio.to_thread(main, ["verify-protocol", str(good)]) == 0
    out = capsys.readouterr().out
    assert (
        f"Файл совпадает с протоколом «Решение по преапелляции» (№ {pid})" in out
        and "версия 2" in out
    )
    assert "Это действующая версия протокола. Протокол подписан всеми подписантами" in out
    assert f"• {NAMES[CHIEF]} (Главный эксперт) — 01.02.2027 11:00 (МСК)" in out
    assert f"• {NAMES[100004]} (Эксперт) — 01.02.2027 11:07 (МСК)" in out
    assert hashlib.sha256(v2_pdf).hexdigest() in out
    assert await asyncio.to_thread(main, ["verify-protocol", str(superseded)]) == 0
    out = capsys.readouterr().out
    assert (
        "версия 1" in out
        and "Это не действующая версия: протокол изменён, действующая — версия 2." in out
    )
    assert await asyncio.to_thread(main, ["verify-protocol", str(bad)]) == 1
    assert (
        "Файл не совпадает ни с одним протоколом: возможно, он изменён." in capsys.readouterr().out
    )
    assert (
        await asyncio.to_thread(main, ["verify-protocol", str(tmp_path / "cli" / "missing.pdf")])
        == 2
    )
    assert "файл не найден" in capsys.readouterr().err


# --------------------------------------------------------------------------- consequences and publication


async def test_score_lock_then_dismantle_notice_then_publication(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    who = ((701, "77"), (702, "77"), (703, "77"), (704, "77"), (751, "50"))
    st = await setup(services, contest_id, who=who, mentor=False)
    levels = {0: 3, 1: 2, 2: 1, 3: 0, 4: 2}
    await score_all(services, st, levels=levels)
    pub = services.publication
    await refused(services, DomainError, "scores_not_locked", pub.publish(FEDERAL, st.scheme_id))
    await services.score_lock.lock_scores(CHIEF, st.scheme_id)
    await render(services, jobs, "score_lock")
    lock = await protocol_of(services, "score_lock")
    view = await services.protocols.view(CHIEF, lock.id)
    experts = tuple(x.telegram_id for x in view.signers)
    assert sorted(experts) == sorted(
        SIGNERS
    )  # the chief and every expert of the competence (R-PRO-1)

    # nothing is published before the score lock is signed by everyone (R-PRO-4)
    await refused(services, DomainError, "score_lock_unsigned", pub.publish(FEDERAL, st.scheme_id))
    for e in experts[:-1]:
        await services.signing.sign(e, lock.id, 1)
    assert (
        await outbox(services, "protocol-complete") == []
    )  # no dismantling before the last signature
    await refused(services, DomainError, "score_lock_unsigned", pub.publish(FEDERAL, st.scheme_id))
    ready = await pub.readiness(FEDERAL, st.scheme_id)
    assert (
        ready["scores_locked"]
        and not ready["score_lock_complete"]
        and ready["results_protocol"] is None
    )
    await services.signing.sign(experts[-1], lock.id, 1)
    [dismantle] = await outbox(services, "protocol-complete")
    assert (
        dismantle.recipient_chat_id == CHIEF
        and dismantle.message_key == "pro-note-dismantle"
        and "_document" not in dismantle.message_args
    )

    # …nor without the commission's results protocol
    await refused(
        services, DomainError, "results_protocol_missing", pub.publish(FEDERAL, st.scheme_id)
    )
    await refused(
        services,
        Forbidden,
        "publish_other_regions",
        pub.issue_results_protocol(COORD_OBLAST, st.scheme_id),
    )
    results_id = await pub.issue_results_protocol(FEDERAL, st.scheme_id)
    await refused(
        services, DomainError, "results_protocol_missing", pub.publish(FEDERAL, st.scheme_id)
    )  # its PDF is not made yet
    await render(services, jobs, "results")
    assert await outbox(services, "result") == []  # nobody has been told a result yet (R-RES-2)
    # a regional coordinator cannot publish a list with participants of other regions
    for coordinator in (COORD_MOSCOW, COORD_OBLAST):
        await refused(
            services, Forbidden, "publish_other_regions", pub.publish(coordinator, st.scheme_id)
        )

    # totals that changed after the results protocol was made (as a correction would) make
    # it outdated: publishing is refused until it is made again
    from sqlalchemy import update as sql_update

    from models.tables import AspectResult

    async with services.ctx.sessionmaker() as s, s.begin():
        first = (
            (
                await s.execute(
                    select(AspectResult)
                    .where(AspectResult.target_id == st.targets[0])
                    .order_by(AspectResult.id)
                )
            )
            .scalars()
            .first()
        )
        old_points = first.points
        await s.execute(
            sql_update(AspectResult)
            .where(AspectResult.id == first.id)
            .values(points=Decimal("0.00"))
        )
    await refused(
        services, DomainError, "results_protocol_outdated", pub.publish(FEDERAL, st.scheme_id)
    )
    async with services.ctx.sessionmaker() as s, s.begin():
        await s.execute(
            sql_update(AspectResult).where(AspectResult.id == first.id).values(points=old_points)
        )

    # issue #12: nor before every required signer signed the results protocol (R-PRO-2, R-RES-2)
    results_signers = [
        x.telegram_id for x in (await services.protocols.view(FEDERAL, results_id)).signers
    ]
    err = await refused(
        services, DomainError, "publish_results_unsigned", pub.publish(FEDERAL, st.scheme_id)
    )
    assert err.args_["signed"] == 0 and err.args_["total"] == len(results_signers)
    for signer in results_signers:
        await services.signing.sign(signer, results_id, 1)

    report = await pub.publish(FEDERAL, st.scheme_id)
    assert (report.participants, report.experts, report.medals) == (5, len(SIGNERS), 4)
    results = {
        ln.target_id: ln for ln in (await services.results.results(FEDERAL, st.scheme_id)).lines
    }
    own = {user: results[target] for (user, _), target in zip(who, st.targets, strict=True)}
    rows = await outbox(services, "result")
    assert sorted(d.recipient_chat_id for d in rows) == sorted(own)  # each participant exactly once
    medals = {}
    for d in rows:
        line = own[d.recipient_chat_id]
        args = d.message_args
        assert (
            args["total"] == f"{line.total:.2f}".replace(".", ",") and args["place"] == line.place
        )
        assert args["medal"] == (line.medal or "none")
        award = args["_award"]
        assert (
            award["kind"] == ("diploma" if line.medal else "certificate")
            and award["medal"] == line.medal
        )
        medals[d.recipient_chat_id] = (args["place"], args["medal"], award["kind"])
    assert medals == {
        701: (1, "gold", "diploma"),
        702: (2, "silver", "diploma"),
        703: (3, "bronze", "diploma"),
        704: (4, "none", "certificate"),
        751: (1, "gold", "diploma"),
    }
    thanks = await outbox(services, "thanks")
    assert sorted(d.recipient_chat_id for d in thanks) == sorted(SIGNERS)
    assert all(d.message_args["_award"]["kind"] == "thanks" for d in thanks)
    [published] = await outbox(services, "published")
    results_view = await services.protocols.view(FEDERAL, results_id)
    assert (
        published.recipient_chat_id == FEDERAL
        and published.message_args["_document"]["path"] == results_view.pdf_path
    )
    # publishing twice changes nothing
    await refused(services, DomainError, "already_published", pub.publish(FEDERAL, st.scheme_id))
    assert len(await outbox(services, "result")) == 5


# --------------------------------------------------------------------------- R-REM-3, R-COO-2


async def swept(services: Services, clock: FixedClock) -> list[Delivery]:
    await sweep(services.ctx.sessionmaker, clock.now(), lambda job, i: None)
    return await outbox(services, UnsignedProtocolReminder.name)


async def test_unsigned_protocols_are_reminded_daily_until_signed(
    services: Services, contest_id: int, jobs: JobLog, clock: FixedClock
) -> None:
    assert any(isinstance(k, UnsignedProtocolReminder) for k in REGISTRY)
    await setup(services, contest_id, count=1, mentor=False)  # issued 01.02.2027 10:00 МСК
    protocol = await protocol_of(services, "scheme_lock")
    clock.at = datetime(2027, 2, 2, 9, 0, tzinfo=MSK)
    assert await swept(services, clock) == []  # the PDF is not ready: nobody has it yet
    await render(services, jobs)
    clock.at = datetime(2027, 2, 2, 9, 0, 30, tzinfo=MSK)
    assert await swept(services, clock) == []  # this morning's run is done
    # the next morning each missing signer is reminded once, with the protocol's two buttons
    clock.at = datetime(2027, 2, 3, 9, 0, tzinfo=MSK)
    day1 = await swept(services, clock)
    clock.advance(minutes=1)
    assert [d.id for d in await swept(services, clock)] == [
        d.id for d in day1
    ]  # a second sweep: nothing more
    assert sorted(d.recipient_chat_id for d in day1) == sorted(SIGNERS)
    note = next(d for d in day1 if d.recipient_chat_id == 100004)
    assert note.message_key == "pro-note-unsigned" and note.message_args == {
        "title": protocol.title,
        "version": 1,
    }
    assert note.subject == f"protocol:{protocol.id}" and note.expires_at is not None
    button = {
        "action": "protocol",
        "contest_id": str(contest_id),
        "protocol": str(protocol.id),
        "version": "1",
    }
    assert note.keyboard == [
        [
            {"text": "pro-btn-sign", **button, "do": "sign"},
            {"text": "pro-btn-refuse", **button, "do": "refuse"},
        ]
    ]

    # one signs, one refuses with a reason: neither is reminded; the others are, once a day
    await services.protocols.sign(100004, protocol.id, 1)
    await services.protocols.refuse(100005, protocol.id, 1, "Не согласен с составом группы")
    # the coordinators see who is missing (a refusal is still missing), whatever their region
    names = {
        x.telegram_id: x.name for x in (await services.protocols.view(CHIEF, protocol.id)).signers
    }
    for coordinator in (COORD_MOSCOW, COORD_OBLAST, FEDERAL):
        report = await services.monitoring.progress(coordinator, contest_id)
        assert sorted(m.signer for m in report.signatures) == sorted(
            names[tid] for tid in SIGNERS if tid != 100004
        )
        assert {(m.protocol, m.since) for m in report.signatures} == {
            (protocol.title, datetime(2027, 2, 1, 10, 0, tzinfo=MSK))
        }
    clock.at = datetime(2027, 2, 4, 9, 3, tzinfo=MSK)
    day2 = [d for d in await swept(services, clock) if d.id not in {x.id for x in day1}]
    assert sorted(d.recipient_chat_id for d in day2) == sorted(set(SIGNERS) - {100004, 100005})
    # complete: no more reminders, nothing missing (the refuser signs deliberately, issue #12)
    for who in SIGNERS:
        if who != 100004:
            view = await services.protocols.sign(who, protocol.id, 1, over_refusal=who == 100005)
    assert view.status == "complete"
    clock.at = datetime(2027, 2, 5, 9, 0, tzinfo=MSK)
    assert len(await swept(services, clock)) == len(day1) + len(day2)
    assert (await services.monitoring.progress(COORD_MOSCOW, contest_id)).signatures == ()


async def test_monitoring_lists_missing_signatures(
    services: Services, contest_id: int, jobs: JobLog, clock: FixedClock
) -> None:
    assert (await services.monitoring.progress(COORD_MOSCOW, contest_id)).signatures == ()
    st = await setup(services, contest_id, count=1, mentor=False)
    clock.advance(hours=2)
    await issue(
        services, st.scheme_id, contest_id, ["Предложение."], [(CHIEF, "chief"), (100004, "expert")]
    )
    report = await services.monitoring.progress(COORD_OBLAST, contest_id)
    lock = await protocol_of(services, "scheme_lock")
    names = {x.telegram_id: x.name for x in (await services.protocols.view(CHIEF, lock.id)).signers}
    assert [(m.protocol, m.signer, m.since) for m in report.signatures] == [
        *((lock.title, names[tid], clock.now() - timedelta(hours=2)) for tid in names),
        ("Решение по преапелляции", NAMES[CHIEF], clock.now()),
        ("Решение по преапелляции", NAMES[100004], clock.now()),
    ]
    # someone without a coordinator's role sees no report at all
    with pytest.raises(Forbidden):
        await services.monitoring.progress(100004, contest_id)


# ------------------------------------------------ words from the catalogue (issue #14, item 5)


async def test_protocol_content_hashes_as_before(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    """The services now pass phrases (models.phrases) and the words come from documents.ftl.
    Issuing the same protocols again with the earlier code's own texts (its f-strings, copied
    here) is "the same content": no new version — the content and its SHA-256 are exactly what
    the earlier code made, so protocols already signed keep their signatures."""
    who = ((701, "77"), (702, "77"), (751, "50"))
    st = await setup(services, contest_id, who=who, mentor=False)
    await score_all(services, st)
    await services.score_lock.lock_scores(CHIEF, st.scheme_id)
    async with services.ctx.sessionmaker() as s:
        scheme = await s.get(Scheme, st.scheme_id)
        contest = await s.get(Contest, contest_id)
        assert scheme is not None and contest is not None
        targets = await s.scalar(
            select(func.count()).where(EvaluationTarget.scheme_id == st.scheme_id)
        )
    tz = contest.timezone
    header = ["Критерий", "Субкритерий", "Аспектов", "Баллов", "Группа"]
    before = {  # kind: (title, paragraphs, table titles, table headers) as the earlier code wrote
        "scheme_lock": (
            f"Блокировка схемы оценки «{scheme.title}»",
            [
                f"Схема оценки заблокирована главным экспертом "
                f"{rules.format_local(scheme.locked_at, tz)}. "
                "После блокировки схема не изменяется (R-SCH-3).",
                f"SHA-256 содержания схемы: {scheme.source_sha256}.",
            ],
            ["Субкритерии и группы оценки"],
            [header],
        ),
        "score_lock": (
            f"Блокировка оценок «{scheme.title}»",
            [
                f"Оценки заблокированы главным экспертом "
                f"{rules.format_local(scheme.scores_locked_at, tz)}. "
                f"Участников в списке оценки: {targets}.",
                "Изменить заблокированную оценку можно только по протоколу корректировки (R-SCO-6). "
                "Демонтаж конкурсных работ — после подписания этого протокола всеми экспертами (R-PRO-4).",
            ],
            ["Заблокированные субкритерии"],
            [header],
        ),
    }
    for kind, (title, paragraphs, titles, headers) in before.items():
        protocol = await protocol_of(services, kind)
        async with services.ctx.sessionmaker() as s:
            v = (
                await s.execute(
                    select(ProtocolVersion).where(
                        ProtocolVersion.protocol_id == protocol.id,
                        ProtocolVersion.version == protocol.current_version,
                    )
                )
            ).scalar_one()
        content = v.content
        assert (content["title"], content["paragraphs"]) == (title, paragraphs)
        assert [tb["title"] for tb in content["tables"]] == titles
        assert [tb["header"] for tb in content["tables"]] == headers
        async with services.protocols.uow() as uow:
            again = await protocol_steps.issue(
                uow,
                contest_id=contest_id,
                scheme_id=st.scheme_id,
                kind=kind,
                subject_key=protocol.subject_key,
                title=title,
                paragraphs=paragraphs,
                tables=[
                    protocol_steps.table(t, h, tb["rows"], tb["widths"])
                    for t, h, tb in zip(titles, headers, content["tables"], strict=True)
                ],
                signers=[(x["telegram_id"], x["role"]) for x in content["signers"]],
                actor=CHIEF,
                dry_run=True,
            )
        assert again == (protocol.id, protocol.current_version, False), kind
        assert v.content_sha256 == content["content_sha256"]
