"""Broadcasts (R-COO-1): a coordinator's announcement to a segment of a contest.

Recipients are materialised as outbox rows in one ``INSERT … SELECT … ON CONFLICT DO
NOTHING``; the workers send them at Telegram's limits; pausing holds the rows that are not
sent yet, resuming releases them, cancelling drops them. A worker crash changes nothing:
each row is claimed before it is sent and the sweep finds rows no queue carries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, String, cast, func, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import DomainError, Forbidden, NotFound
from models.services.access import coordinator_scope
from models.services.base import Service, lock
from models.services.broadcast_audience import (
    Audience,
    audience_count,
    check_audience,
    participants_query,
    staff_chats,
)
from models.services.staff_history import contest_tz, last_action
from models.tables import (
    Broadcast,
    Delivery,
    Nomination,
    Region,
    UTCDateTime,
)

MAX_TEXT = 4000  # Telegram's 4096, with room for nothing else
MAX_CAPTION = 1000  # Telegram's 1024 for a photo's or document's caption


@dataclass(frozen=True, slots=True)
class BroadcastView:
    id: int
    contest_id: int
    status: str
    audience: Audience
    total: int
    text_html: str
    media_kind: str | None
    media_file_id: str | None
    progress_chat_id: int | None
    progress_message_id: int | None


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    id: int
    status: str
    total: int
    sent: int
    blocked: int
    failed: int
    left: int
    cancelled: int

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cancelled")


def _view(b: Broadcast) -> BroadcastView:
    return BroadcastView(
        b.id,
        b.contest_id,
        b.status,
        Audience.model_validate(b.audience or {}),
        b.total,
        b.text_html,
        b.media_kind,
        b.media_file_id,
        b.progress_chat_id,
        b.progress_message_id,
    )


class BroadcastService(Service):
    async def _own(
        self, s: AsyncSession, actor: int, broadcast_id: int, *, for_update: bool = False
    ) -> tuple[Broadcast, frozenset[str] | None]:
        """The broadcast and the actor's scope. ``for_update``: the first read of a transition —
        the row is locked (PostgreSQL ``FOR UPDATE``; SQLite: the unit of work's write lock), so
        a second press waits and then reads the state the first one left (issue #12)."""
        if for_update:
            b = await lock(s, Broadcast, broadcast_id)
        else:
            b = await s.get(Broadcast, broadcast_id, populate_existing=True)
        if b is None:
            raise NotFound("broadcast_not_found")
        scope = await coordinator_scope(
            s, self.ctx, actor, b.contest_id
        )  # Forbidden without the role
        if b.author_telegram_id != actor and scope is not None:
            raise Forbidden("not_your_broadcast")
        return b, scope

    async def _refuse(self, s: AsyncSession, b: Broadcast, wanted: str) -> DomainError:
        """The refusal of ``wanted`` (draft | running | paused | live) for a broadcast in
        another state: what already happened to it, who did it and when (issue #12)."""
        tz = await contest_tz(s, b.contest_id)

        async def by(*actions: str) -> dict[str, object]:
            seen = await last_action(s, "broadcast", b.id, actions, b.contest_id)
            if seen is None:
                when = b.finished_at or b.started_at or b.created_at
                return {"who": "—", "at": when, "tz": tz}
            return seen.args(tz)

        args: dict[str, object] = {"id": b.id, "total": b.total}
        if b.status == "dropped":
            return DomainError("broadcast_dropped", **args, **await by("broadcast.drop"))
        if b.status == "cancelled":
            return DomainError("broadcast_was_cancelled", **args, **await by("broadcast.cancel"))
        if b.status == "done":
            return DomainError(
                "broadcast_finished", **args, at=b.finished_at or b.started_at, tz=tz
            )
        if b.status == "draft":
            return DomainError("broadcast_not_started", **args)
        if wanted == "draft":  # running or paused: it was started
            return DomainError("broadcast_started", **args, **await by("broadcast.start"))
        if b.status == "paused":
            return DomainError("broadcast_already_paused", **args, **await by("broadcast.pause"))
        return DomainError(
            "broadcast_already_running", **args, **await by("broadcast.resume", "broadcast.start")
        )

    async def _draft_for_update(
        self, s: AsyncSession, actor: int, broadcast_id: int
    ) -> tuple[Broadcast, frozenset[str] | None]:
        b, scope = await self._own(s, actor, broadcast_id, for_update=True)
        if b.status != "draft":
            raise await self._refuse(s, b, "draft")
        return b, scope

    async def check_draft(self, actor: int, broadcast_id: int) -> BroadcastView:
        """A button of a draft (audience, preview, edit, send, drop) is refused at once when
        the draft was dropped or already started."""
        async with self.read() as s:
            b, _ = await self._own(s, actor, broadcast_id)
            if b.status != "draft":
                raise await self._refuse(s, b, "draft")
            return _view(b)

    async def check_live(self, actor: int, broadcast_id: int) -> BroadcastView:
        """«Отменить рассылку» asks for a confirmation only while there is something to cancel."""
        async with self.read() as s:
            b, _ = await self._own(s, actor, broadcast_id)
            if b.status not in ("running", "paused"):
                raise await self._refuse(s, b, "live")
            return _view(b)

    # ------------------------------------------------------------------ composing

    async def create_draft(
        self,
        actor: int,
        contest_id: int,
        text_html: str,
        media_kind: str | None = None,
        media_file_id: str | None = None,
    ) -> BroadcastView:
        text_html = (text_html or "").strip()
        if not text_html and not media_file_id:
            raise DomainError("broadcast_empty")
        limit = MAX_CAPTION if media_file_id else MAX_TEXT
        if len(text_html) > limit:
            raise DomainError("broadcast_too_long", limit=limit, length=len(text_html))
        async with self.uow() as uow:
            await coordinator_scope(uow.session, self.ctx, actor, contest_id)
            b = Broadcast(
                contest_id=contest_id,
                author_telegram_id=actor,
                text_html=text_html,
                media_kind=media_kind,
                media_file_id=media_file_id,
                audience=Audience().model_dump(),
                status="draft",
                total=0,
                created_at=uow.now,
            )
            uow.session.add(b)
            await uow.session.flush()
            return _view(b)

    async def set_audience(
        self, actor: int, broadcast_id: int, audience: Audience
    ) -> tuple[BroadcastView, int]:
        """Change who receives a draft; returns it with the exact number of recipients."""
        async with self.uow() as uow:
            s = uow.session
            b, scope = await self._draft_for_update(s, actor, broadcast_id)
            await check_audience(s, b.contest_id, audience, scope)
            b.audience = audience.model_dump()
            count = await audience_count(s, b.contest_id, audience, scope)
            return _view(b), count

    async def change_audience(
        self,
        actor: int,
        broadcast_id: int,
        *,
        role: str | None = None,
        state: str | None = None,
        region: tuple[str, bool] | None = None,
        nomination: tuple[int, bool] | None = None,
    ) -> tuple[BroadcastView, int]:
        """One change of a draft's audience, applied to the audience as it is under the draft's
        lock: a region or nomination is switched ON or OFF (the button carries which), so a
        double tap gives the same audience as one tap, and two coordinators choosing different
        regions at once both count (no read-modify-write in the handler)."""
        async with self.uow() as uow:
            s = uow.session
            b, scope = await self._draft_for_update(s, actor, broadcast_id)
            a = Audience.model_validate(b.audience)
            if role is not None:
                a = Audience(role=role, regions=a.regions if role != "experts" else [])  # type: ignore[arg-type]
            if state is not None:
                a = a.model_copy(update={"state": state})
            if region is not None:
                code, on = region
                a = a.model_copy(
                    update={
                        "regions": [*(r for r in a.regions if r != code), *([code] if on else [])]
                    }
                )
            if nomination is not None:
                nid, on = nomination
                a = a.model_copy(
                    update={
                        "nominations": [
                            *(n for n in a.nominations if n != nid),
                            *([nid] if on else []),
                        ]
                    }
                )
            a = Audience.model_validate(a.model_dump())
            await check_audience(s, b.contest_id, a, scope)
            b.audience = a.model_dump()
            count = await audience_count(s, b.contest_id, a, scope)
            return _view(b), count

    async def count(self, actor: int, broadcast_id: int) -> int:
        async with self.read() as s:
            b, scope = await self._own(s, actor, broadcast_id)
            return await audience_count(s, b.contest_id, Audience.model_validate(b.audience), scope)

    async def view(self, actor: int, broadcast_id: int) -> BroadcastView:
        async with self.read() as s:
            b, _ = await self._own(s, actor, broadcast_id)
            return _view(b)

    async def choices(
        self, actor: int, contest_id: int
    ) -> tuple[list[tuple[str, str]], list[tuple[int, str]], bool]:
        """Regions (code, name) the actor may address, nominations (id, title), and whether
        experts may be addressed (federal coordinators and admins only)."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, actor, contest_id)
            regions = (
                await s.execute(
                    select(Region.code, Region.name)
                    .where(Region.contest_id == contest_id, Region.active.is_(True))
                    .order_by(Region.name)
                )
            ).all()
            noms = (
                await s.execute(
                    select(Nomination.id, Nomination.title)
                    .where(Nomination.contest_id == contest_id, Nomination.active.is_(True))
                    .order_by(Nomination.position)
                )
            ).all()
            return (
                [(c, n) for c, n in regions if scope is None or c in scope],
                [(i, t) for i, t in noms],
                scope is None,
            )

    # ------------------------------------------------------------------ running

    async def start(self, actor: int, broadcast_id: int) -> BroadcastView:
        """Confirmed: write every recipient's outbox row in one statement and start."""
        async with self.uow() as uow:
            s = uow.session
            b, scope = await self._draft_for_update(s, actor, broadcast_id)
            audience = Audience.model_validate(b.audience)
            await check_audience(s, b.contest_id, audience, scope)
            columns = [
                "reason",
                "subject",
                "recipient_chat_id",
                "due_at",
                "message_key",
                "message_args",
                "language",
                "status",
                "attempts",
                "muteable",
                "broadcast_id",
                "created_at",
            ]
            fixed = [
                literal("broadcast"),
                literal(f"broadcast:{b.id}"),
                None,  # recipient
                literal(uow.now, UTCDateTime()),
                literal("broadcast"),
                cast(literal("{}"), JSON),
                None,  # language
                literal("pending"),
                literal(0),
                literal(False),
                literal(b.id),
                literal(uow.now, UTCDateTime()),
            ]
            insert = (
                postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            )
            key = ["reason", "subject", "recipient_chat_id", "due_at"]
            if audience.role == "participants":
                sub = participants_query(b.contest_id, audience, scope).subquery()
                picked = {
                    "recipient_chat_id": sub.c.chat,
                    "language": cast(func.coalesce(sub.c.language, "ru"), String),
                }
                # WHERE true: SQLite cannot otherwise tell the upsert's ON from a join's ON
                source = (
                    select(*[picked.get(c, v) for c, v in zip(columns, fixed, strict=True)])  # type: ignore[arg-type]
                    .select_from(sub)
                    .where(true())
                )
                upsert = (
                    insert(Delivery)
                    .from_select(columns, source)
                    .on_conflict_do_nothing(index_elements=key)
                )
                done = await s.execute(upsert)
                total = getattr(done, "rowcount", 0) or 0  # a CursorResult: rows inserted
            else:
                rows = [
                    {
                        "reason": "broadcast",
                        "subject": f"broadcast:{b.id}",
                        "recipient_chat_id": chat,
                        "due_at": uow.now,
                        "message_key": "broadcast",
                        "message_args": {},
                        "language": "ru",
                        "status": "pending",
                        "attempts": 0,
                        "muteable": False,
                        "broadcast_id": b.id,
                        "created_at": uow.now,
                    }
                    for chat in await staff_chats(s, b.contest_id, audience, scope)
                ]
                total = 0
                if rows:
                    returning = (
                        insert(Delivery.__table__)  # type: ignore[arg-type]  # a Table
                        .on_conflict_do_nothing(index_elements=key)
                        .returning(Delivery.__table__.c.id)
                    )
                    total = len((await s.execute(returning, rows)).all())
            if total == 0:
                raise DomainError("broadcast_no_recipients")
            b.status = "running"
            b.total = total
            b.started_at = uow.now
            uow.audit(
                actor,
                "broadcast.start",
                "broadcast",
                b.id,
                contest_id=b.contest_id,
                after={"audience": b.audience, "total": total},
            )
            uow.after_commit("broadcast", b.id)
            return _view(b)

    async def drop(self, actor: int, broadcast_id: int) -> BroadcastView:
        """«Отменить черновик»: the draft can never be sent afterwards — its old «Отправить»
        button is refused (issue #12). One audit row; a second drop is told who dropped it."""
        async with self.uow() as uow:
            s = uow.session
            b, _ = await self._draft_for_update(s, actor, broadcast_id)
            b.status = "dropped"
            b.finished_at = uow.now
            uow.audit(
                actor,
                "broadcast.drop",
                "broadcast",
                b.id,
                contest_id=b.contest_id,
                before={"status": "draft"},
                after={"status": "dropped"},
            )
            return _view(b)

    async def set_progress_message(
        self, actor: int, broadcast_id: int, chat_id: int, message_id: int
    ) -> None:
        async with self.uow() as uow:
            b, _ = await self._own(uow.session, actor, broadcast_id)
            b.progress_chat_id, b.progress_message_id = chat_id, message_id

    async def pause(self, actor: int, broadcast_id: int) -> BroadcastView:
        return await self._switch(actor, broadcast_id, "running", "paused", "pending", "held")

    async def resume(self, actor: int, broadcast_id: int) -> BroadcastView:
        return await self._switch(actor, broadcast_id, "paused", "running", "held", "pending")

    async def cancel(self, actor: int, broadcast_id: int) -> BroadcastView:
        async with self.uow() as uow:
            s = uow.session
            b, _ = await self._own(s, actor, broadcast_id, for_update=True)
            if b.status not in ("running", "paused"):
                raise await self._refuse(s, b, "live")
            await s.execute(
                update(Delivery)
                .where(Delivery.broadcast_id == b.id, Delivery.status.in_(["pending", "held"]))
                .values(status="cancelled", lease_until=None)
            )
            before = b.status
            b.status = "cancelled"
            b.finished_at = uow.now
            uow.audit(
                actor,
                "broadcast.cancel",
                "broadcast",
                b.id,
                contest_id=b.contest_id,
                before={"status": before},
                after={"status": "cancelled"},
            )
            uow.after_commit("broadcast", b.id)
            return _view(b)

    async def _switch(
        self, actor: int, broadcast_id: int, was: str, becomes: str, rows_from: str, rows_to: str
    ) -> BroadcastView:
        async with self.uow() as uow:
            s = uow.session
            b, _ = await self._own(s, actor, broadcast_id, for_update=True)
            if b.status != was:
                raise await self._refuse(s, b, was)
            # rows being sent right now finish; the rest wait (or go on)
            await s.execute(
                update(Delivery)
                .where(Delivery.broadcast_id == b.id, Delivery.status == rows_from)
                .values(status=rows_to, enqueued_at=None)
            )
            b.status = becomes
            uow.audit(
                actor,
                f"broadcast.{'pause' if becomes == 'paused' else 'resume'}",
                "broadcast",
                b.id,
                contest_id=b.contest_id,
                before={"status": was},
                after={"status": becomes},
            )
            uow.after_commit("broadcast", b.id)
            return _view(b)


async def progress_of(s: AsyncSession, broadcast_id: int) -> BroadcastProgress:
    """Counts by outbox status, through the (broadcast_id, status) index."""
    b = await s.get(Broadcast, broadcast_id, populate_existing=True)
    if b is None:
        raise NotFound("broadcast_not_found")
    counts = dict(
        (
            await s.execute(
                select(Delivery.status, func.count())
                .where(Delivery.broadcast_id == broadcast_id)
                .group_by(Delivery.status)
            )
        ).all()
    )
    left = counts.get("pending", 0) + counts.get("sending", 0) + counts.get("held", 0)
    return BroadcastProgress(
        broadcast_id,
        b.status,
        b.total,
        counts.get("sent", 0),
        counts.get("blocked", 0),
        counts.get("failed", 0) + counts.get("expired", 0),
        left,
        counts.get("cancelled", 0),
    )


__all__ = [
    "MAX_CAPTION",
    "MAX_TEXT",
    "Audience",
    "BroadcastProgress",
    "BroadcastService",
    "BroadcastView",
    "progress_of",
]
