"""/publish: the results' readiness, the results protocol and the publication (R-RES-2,
R-PRO-4; disputes that may still change the results, R-APL-1/3/7)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.handlers.protocols.wording import (
    drop_buttons,
    scheme_brief,
    scheme_picker,
    signed_count,
    staff_schemes,
    state_lines,
    steps,
)
from bot.screens import Button, choices, confirm
from bot.texts import format_dt, tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.scoring import SchemeBrief

router = Router(name=__name__)


def _pub(scheme_id: int, action: PubAction) -> PubCb:
    return PubCb(scheme_id=scheme_id, action=action)


@router.message(Command("publish"))
async def publish_cmd(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    uid = message.from_user.id
    schemes = await staff_schemes(services, uid, {"coordinator"})
    if not schemes:
        raise Forbidden("not_coordinator")
    if len(schemes) == 1:
        text, kb = await _publication_screen(services, uid, schemes[0])
        await message.answer(text, reply_markup=kb)
        return
    await message.answer(
        tr("pro-choose-scheme"), reply_markup=scheme_picker(schemes, PubAction.PUB)
    )


@router.callback_query(PubCb.filter(F.action == PubAction.PUB))
async def publication(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    brief = await scheme_brief(
        services, query.from_user.id, callback_data.scheme_id, {"coordinator"}
    )
    text, kb = await _publication_screen(services, query.from_user.id, brief)
    await query.message.answer(text, reply_markup=kb)


def _mark(ok: bool) -> str:
    return "✅" if ok else "⏳"


async def _publication_screen(
    services: Services, uid: int, brief: SchemeBrief
) -> tuple[str, InlineKeyboardMarkup | None]:
    # the service checks the coordinator
    ready = await services.publication.readiness(uid, brief.id)
    lock = await services.protocols.by_subject("score_lock", f"scores:{brief.id}")
    results = await services.protocols.by_subject("results", f"results:{brief.id}")
    tz = str(ready.get("timezone") or "Europe/Moscow")
    lines = [tr("pub-title", title=brief.title, stage=brief.stage)]
    lines.append(tr("pub-ready-scores", mark=_mark(bool(ready["scores_locked"]))))
    lines.append(tr("pub-ready-lock", mark=_mark(bool(ready["score_lock_complete"]))))
    if lock is not None and lock.status != "complete":
        lines += ["   " + x for x in state_lines(lock)]
    corrections = ready.get("open_corrections") or 0
    if corrections:
        lines.append(tr("pub-ready-corrections", count=corrections))
    # R-APL-1, R-APL-3, R-APL-7: disputes that may still change the results
    if ready["undecided_appeals"]:
        lines.append(tr("pubg-ready-appeals", count=ready["undecided_appeals"]))
    if ready["voting_pre_appeals"]:
        lines.append(tr("pubg-ready-pre-appeals", count=ready["voting_pre_appeals"]))
    if ready["open_disputes"]:
        until = format_dt(ready["disputes_until"], tz)
        lines.append(tr("pubg-ready-disputes", count=ready["open_disputes"], until=until))
    published = ready["published_at"]
    lines.append(
        tr(
            "pub-ready-results",
            mark=_mark(ready["results_pdf"] is not None),
            made="yes" if ready["results_protocol"] else "no",
        )
    )
    if ready.get("results_outdated") and published is None:
        lines.append(tr("pubg-ready-outdated"))
    if results is not None:
        # R-PRO-2: publication waits for every required signer of the results protocol
        lines.append(
            tr(
                "pubg-ready-results-signed",
                mark=_mark(bool(ready["results_complete"])),
                signed=signed_count(results),
                total=len(results.signers),
            )
        )
        if results.status != "complete":
            lines += ["   " + x for x in state_lines(results)[1:]]
    items: list[Button] = []
    if published is not None:
        lines.append(tr("pub-published-at", at=format_dt(published, tz)))
        changed = ready.get("changed")
        if changed is not None:  # «итоги изменены после публикации» (R-APL-9, issue #12)
            lines.append(
                tr(
                    "pubg-changed",
                    at=format_dt(changed.changed_at, tz),
                    count=changed.participants,
                    version=changed.protocol_version,
                    signed=changed.protocol_signed,
                    total=changed.protocol_signers,
                    complete="yes" if changed.protocol_complete else "no",
                )
            )
    else:
        ok = not ready["blockers"]
        lines.append(tr("pub-can-publish" if ok else "pub-cannot-publish"))
        if ready["scores_locked"]:
            items.append((tr("pub-btn-results"), _pub(brief.id, PubAction.RESULTS)))
        items.append((tr("pub-btn-publish"), _pub(brief.id, PubAction.ASK)))
    items.append((tr("pub-btn-protocols"), _pub(brief.id, PubAction.LIST)))
    return "\n".join(lines), choices(items)


@router.callback_query(PubCb.filter(F.action == PubAction.RESULTS))
async def results_protocol(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    uid, scheme_id = query.from_user.id, callback_data.scheme_id
    protocol_id = await services.publication.issue_results_protocol(uid, scheme_id)
    view = await services.protocols.view(uid, protocol_id)
    await query.message.answer(
        tr("pub-results-issued", title=view.title, version=view.version, signers=len(view.signers)),
        reply_markup=steps(
            ("nxt-btn-publication", _pub(scheme_id, PubAction.PUB)),
            ("nxt-btn-back-protocols", _pub(scheme_id, PubAction.LIST)),
        ),
    )


@router.callback_query(PubCb.filter(F.action == PubAction.ASK))
async def publish_ask(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    """The confirmation — after the same checks the service makes, so nobody confirms in vain
    (the service checks again when it publishes)."""
    uid = query.from_user.id
    brief = await scheme_brief(services, uid, callback_data.scheme_id, {"coordinator"})
    ready = await services.publication.readiness(uid, brief.id)
    if ready["published_at"] is not None:
        raise DomainError("already_published", at=ready["published_at"], tz=ready["timezone"])
    for code, args in ready["blockers"]:  # the first reason, with its count
        if code == "results_protocol_missing" and ready["results_protocol"]:
            code = "protocol_not_ready"
        raise DomainError(code, **args)
    markup = confirm(
        _pub(brief.id, PubAction.GO),
        _pub(brief.id, PubAction.PUB),
        yes_label=tr("pub-btn-publish-yes"),
        no_label=tr("pub-btn-cancel"),
    )
    await query.message.answer(tr("pub-confirm", title=brief.title), reply_markup=markup)


@router.callback_query(PubCb.filter(F.action == PubAction.GO))
async def publish(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    scheme_id = callback_data.scheme_id
    report = await services.publication.publish(query.from_user.id, scheme_id)
    await drop_buttons(query)
    await query.message.answer(
        tr(
            "pub-done",
            participants=report.participants,
            experts=report.experts,
            medals=report.medals,
            volunteers=report.volunteers,
        ),
        reply_markup=steps(
            ("nxt-btn-back-publication", _pub(scheme_id, PubAction.PUB)),
            ("nxt-btn-back-protocols", _pub(scheme_id, PubAction.LIST)),
        ),
    )


__all__ = ["router"]
