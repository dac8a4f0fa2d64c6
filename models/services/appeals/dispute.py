"""The pre-appeal dispute at the site (R-APL-1): the chief expert puts a proposal to a vote of
the accredited experts; the vote closes with its quorum into a protocol signed by the voters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.phrases import phrase
from models.services.access import active_roles
from models.services.appeals.common import (
    accredited_experts,
    closed_error,
    scheme_of,
    tell,
    tz_of,
)
from models.services.appeals.views import (
    MAX_TEXT,
    PreAppealView,
    clean_text,
)
from models.services.base import Service, UnitOfWork, lock
from models.services.protocols.issuing import issue as issue_protocol
from models.services.protocols.views import table
from models.services.scoring.changes import apply_pre_appeal
from models.tables import (
    PreAppeal,
    PreAppealVote,
    RoleAssignment,
    Scheme,
)


class DisputeService(Service):
    """The chief expert and the accredited experts, before any appeal (R-APL-1)."""

    async def open_pre_appeal(
        self,
        actor: int,
        scheme_id: int,
        situation: str,
        proposal: str,
        penalty: str | None,
        *,
        draft_key: str | None = None,
    ) -> PreAppealView:
        """The chief expert puts a proposal to a vote of the experts accredited at the site.
        ``draft_key`` names the chat draft: it opens one vote, however often it is sent."""
        situation, proposal = clean_text(situation, "situation"), clean_text(proposal, "proposal")
        penalty = (penalty or "").strip() or None
        if penalty is not None and len(penalty) > MAX_TEXT:
            raise DomainError("appeal_field_too_long", field="penalty", limit=MAX_TEXT)
        async with self.uow() as uow:
            s = uow.session
            scheme = await lock(
                s, Scheme, scheme_id
            )  # two «Вынести» of one draft: the second waits here
            if scheme is None:
                raise NotFound("scheme_not_found")
            if scheme.chief_telegram_id != actor or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            if draft_key:
                opened = (
                    await s.execute(
                        select(PreAppeal).where(
                            PreAppeal.opened_by == actor, PreAppeal.draft_key == draft_key
                        )
                    )
                ).scalar_one_or_none()
                if opened is not None:
                    raise DomainError(
                        "pre_appeal_opened_already",
                        id=opened.id,
                        at=opened.opened_at,
                        tz=await tz_of(s, scheme.contest_id),
                    )
            accredited = await accredited_experts(s, scheme)
            if not accredited:
                raise DomainError("no_accredited_experts")
            row = PreAppeal(
                scheme_id=scheme_id,
                situation=situation,
                proposal=proposal,
                penalty=penalty,
                accredited=accredited,
                status="voting",
                opened_by=actor,
                opened_at=uow.now,
                draft_key=draft_key or None,
            )
            s.add(row)
            await s.flush()
            uow.audit(
                actor,
                "pre_appeal.open",
                "pre_appeal",
                row.id,
                contest_id=scheme.contest_id,
                after={"accredited": len(accredited)},
            )
            for e in accredited:
                await tell(
                    uow,
                    e,
                    f"pre_appeal:{row.id}",
                    "apl-note-pre-vote",
                    {
                        "situation": situation,
                        "proposal": proposal,
                        "penalty": penalty or "—",
                        "scheme": scheme.title,
                    },
                    reason="pre-appeal",
                    keyboard=[
                        [
                            {
                                "text": "apl-btn-for",
                                "action": "preappeal",
                                "contest_id": str(scheme.contest_id),
                                "id": str(row.id),
                                "vote": "1",
                            },
                            {
                                "text": "apl-btn-against",
                                "action": "preappeal",
                                "contest_id": str(scheme.contest_id),
                                "id": str(row.id),
                                "vote": "0",
                            },
                        ]
                    ],
                )
            return await self._pre_view(s, row)

    async def _pre_view(self, s: AsyncSession, row: PreAppeal) -> PreAppealView:
        votes = (
            (await s.execute(select(PreAppealVote).where(PreAppealVote.pre_appeal_id == row.id)))
            .scalars()
            .all()
        )
        return PreAppealView(
            row.id,
            row.scheme_id,
            row.situation,
            row.proposal,
            row.penalty,
            row.status,
            len(row.accredited),
            sum(1 for v in votes if v.vote),
            sum(1 for v in votes if not v.vote),
            tuple(v.telegram_id for v in votes),
        )

    async def vote_pre_appeal(self, actor: int, pre_appeal_id: int, vote: bool) -> PreAppealView:
        """One accredited expert's vote, once (a double press counts once, and «За» and
        «Против» pressed together count the first); when everyone has voted the vote closes
        itself — once, whoever votes last."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await scheme_of(s, row.scheme_id)
            if actor not in row.accredited or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_accredited")
            if row.status != "voting":
                raise await closed_error(s, row, scheme)
            cast = (
                await s.execute(
                    select(PreAppealVote).where(
                        PreAppealVote.pre_appeal_id == row.id, PreAppealVote.telegram_id == actor
                    )
                )
            ).scalar_one_or_none()
            if cast is not None:
                raise DomainError(
                    "pre_appeal_voted_already",
                    id=row.id,
                    vote="yes" if cast.vote else "no",
                    at=cast.at,
                    tz=await tz_of(s, scheme.contest_id),
                )
            s.add(PreAppealVote(pre_appeal_id=row.id, telegram_id=actor, vote=vote, at=uow.now))
            await s.flush()
            uow.audit(
                actor,
                "pre_appeal.vote",
                "pre_appeal",
                row.id,
                contest_id=scheme.contest_id,
                after={"vote": vote},
            )
            view = await self._pre_view(s, row)
            if len(view.voted) == len(row.accredited):
                await self._close_pre(uow, row, scheme, actor, auto=True)
                view = await self._pre_view(s, row)
            return view

    async def close_pre_appeal(
        self, actor: int, pre_appeal_id: int, *, without_quorum: bool = False
    ) -> PreAppealView:
        """The chief expert closes the vote: the outcome follows R-APL-1 (quorum 80 %,
        more than half of the votes cast) and becomes a protocol signed by the voters.

        Issue #15: a vote without quorum closes with no decision only when the chief confirmed
        exactly that (``without_quorum``); otherwise it is refused with the count («5 из 8,
        нужно 7») and stays open. A vote that reached its quorum meanwhile closes with its
        decision either way — the votes decide, checked here under the row lock."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await scheme_of(s, row.scheme_id)
            if scheme.chief_telegram_id != actor:
                raise Forbidden("not_chief")
            if row.status != "voting":
                raise await closed_error(s, row, scheme)
            quorum = (await self._pre_view(s, row)).quorum
            if not quorum.reached and not without_quorum:
                raise DomainError(
                    "pre_appeal_no_quorum",
                    cast=quorum.cast,
                    accredited=quorum.accredited,
                    needed=quorum.needed,
                )
            await self._close_pre(uow, row, scheme, actor)
            return await self._pre_view(s, row)

    async def check_close_pre_appeal(self, actor: int, pre_appeal_id: int) -> PreAppealView:
        """What «Подвести итог» may ask (issue #15): only the chief expert, only an open vote
        (a closed one is refused at once with who closed it and when) — before any question."""
        async with self.read() as s:
            row = await s.get(PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await scheme_of(s, row.scheme_id)
            if scheme.chief_telegram_id != actor:
                raise Forbidden("not_chief")
            if row.status != "voting":
                raise await closed_error(s, row, scheme)
            return await self._pre_view(s, row)

    async def _close_pre(
        self, uow: UnitOfWork, row: PreAppeal, scheme: Scheme, actor: int, *, auto: bool = False
    ) -> None:
        """Close a vote the caller holds locked (``row.status`` is still «voting»)."""
        s = uow.session
        votes = (
            (
                await s.execute(
                    select(PreAppealVote)
                    .where(PreAppealVote.pre_appeal_id == row.id)
                    .order_by(PreAppealVote.at)
                )
            )
            .scalars()
            .all()
        )
        yes = sum(1 for v in votes if v.vote)
        row.status = rules.pre_appeal_outcome(len(row.accredited), yes, len(votes) - yes)
        row.closed_at = uow.now
        row.closed_by = None if auto else actor
        uow.audit(
            actor,
            "pre_appeal.close",
            "pre_appeal",
            row.id,
            contest_id=scheme.contest_id,
            after={"status": row.status, "for": yes, "against": len(votes) - yes},
        )
        names = dict(
            (
                await s.execute(
                    select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                        RoleAssignment.contest_id == scheme.contest_id
                    )
                )
            ).all()
        )
        await issue_protocol(
            uow,
            contest_id=scheme.contest_id,
            scheme_id=scheme.id,
            kind="pre_appeal",
            subject_key=f"pre_appeal:{row.id}",
            title=phrase("doc-pro-pre-title", id=row.id),
            paragraphs=[
                phrase("doc-pro-pre-situation", situation=row.situation),
                phrase("doc-pro-pre-proposal", proposal=row.proposal),
                phrase("doc-pro-pre-penalty", penalty=row.penalty)
                if row.penalty
                else phrase("doc-pro-pre-penalty-none"),
                phrase(
                    "doc-pro-pre-count",
                    accredited=len(row.accredited),
                    voted=len(votes),
                    yes=yes,
                    no=len(votes) - yes,
                ),
                phrase("doc-pro-pre-outcome", outcome=row.status),
            ],
            tables=[
                table(
                    phrase("doc-pro-table-votes"),
                    [phrase("doc-pro-col-expert"), phrase("doc-pro-col-vote")],
                    [
                        [
                            names.get(v.telegram_id) or str(v.telegram_id),
                            phrase("doc-pro-pre-vote", vote="yes" if v.vote else "no"),
                        ]
                        for v in votes
                    ],
                    [0.7, 0.3],
                )
            ],
            signers=[(v.telegram_id, "expert") for v in votes],
            actor=actor,
        )
        # R-APL-1: an accepted penalty reaches the results with this protocol (issue #12)
        await apply_pre_appeal(self.ctx, uow, row, actor)
        for e in row.accredited:
            await tell(
                uow,
                e,
                f"pre_appeal:{row.id}:closed",
                "apl-note-pre-closed",
                {"outcome": row.status, "proposal": row.proposal},
                reason="pre-appeal",
            )

    async def pre_appeal(self, actor: int, pre_appeal_id: int) -> PreAppealView:
        async with self.read() as s:
            row = await s.get(PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await scheme_of(s, row.scheme_id)
            if actor not in row.accredited and scheme.chief_telegram_id != actor:
                raise Forbidden("not_accredited")
            return await self._pre_view(s, row)
