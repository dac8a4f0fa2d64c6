"""An expert scores: the worklist, one item, a mark, the re-score, confirming the sheet (R-SCO-1…4)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import (
    is_expert,
    require_chief,
)
from models.services.base import Service, UnitOfWork, count_rows
from models.services.base import lock as lock_row
from models.services.scoring.common import (
    aspect_outcome,
    assigned_aspects,
    check_value,
    confirmation,
    contest_tz,
    expert_scheme,
    groups_of,
    insert_for,
    my_marks,
    options_of,
    own_target,
    scheme_row,
    scoreable_targets,
    scores_unlocked,
    share_row,
    target_row,
    tell,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import (
    Expected,
    MarkOutcome,
    ScoreItem,
    TargetProgress,
    Worklist,
)
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Contest,
    Correction,
    EvaluationTarget,
    GroupMember,
    Scheme,
    SchemeAspect,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
    Stage,
)


class MarkEntryService(Service):
    """An expert scores: the worklist, one item, a mark, the re-score, confirming the sheet (R-SCO-1…4)."""

    async def worklist(self, actor: int, scheme_id: int) -> Worklist:
        async with self.read() as s:
            scheme = await expert_scheme(s, actor, scheme_id)
            aspects = await assigned_aspects(s, actor, scheme_id)
            targets = await scoreable_targets(s, actor, scheme_id)
            done_by_target = dict(
                (
                    await s.execute(
                        select(Score.target_id, func.count())
                        .join(SchemeAspect, SchemeAspect.id == Score.aspect_id)
                        .join(
                            SchemeSubcriterion,
                            SchemeSubcriterion.id == SchemeAspect.subcriterion_id,
                        )
                        .where(
                            SchemeAspect.scheme_id == scheme_id,
                            Score.expert_telegram_id == actor,
                            Score.stale.is_(False),
                            SchemeSubcriterion.group_id.in_(await groups_of(s, actor, scheme_id)),
                        )
                        .group_by(Score.target_id)
                    )
                ).all()
            )
            lines = [
                TargetProgress(
                    t.id, t.number, target_label(t), done_by_target.get(t.id, 0), len(aspects)
                )
                for t in targets
            ]
            confirmed = await confirmation(s, scheme_id, "expert", actor)
            return Worklist(
                scheme_id,
                scheme.title,
                lines,
                sum(x.scored for x in lines),
                sum(x.total for x in lines),
                confirmed is not None,
                scheme.scores_locked_at is not None,
            )

    async def _progress_of(
        self, s: AsyncSession, expert: int, scheme_id: int, target_id: int
    ) -> tuple[int, int]:
        """(marks given, marks due) of one expert for one target: two counts, no rows."""
        groups = await groups_of(s, expert, scheme_id)
        assigned = (
            select(SchemeAspect.id)
            .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
            .where(SchemeAspect.scheme_id == scheme_id, SchemeSubcriterion.group_id.in_(groups))
        )
        total = (
            await s.execute(select(func.count()).select_from(assigned.subquery()))
        ).scalar_one()
        done = await count_rows(
            s,
            Score,
            Score.target_id == target_id,
            Score.expert_telegram_id == expert,
            Score.stale.is_(False),
            Score.aspect_id.in_(assigned),
        )
        return done, total

    async def score_item(
        self, actor: int, target_id: int, aspect_id: int | None = None
    ) -> ScoreItem | None:
        """The aspect to show: ``aspect_id`` if given, else the first one still needing this
        expert's mark (never scored, or flagged for re-scoring). None when all are done."""
        async with self.read() as s:
            # as _expert_scheme, without reading the scheme and the groups twice (issue #13)
            own = await own_target(s, actor, target_id)
            target, scheme, aspects, marks = own.target, own.scheme, own.aspects, own.marks
            done = sum(1 for a in aspects if a.id in marks and not marks[a.id].stale)
            if aspect_id is None:
                pick = next((a for a in aspects if a.id not in marks or marks[a.id].stale), None)
            else:
                pick = next((a for a in aspects if a.id == aspect_id), None)
                if pick is None:
                    raise Forbidden("not_your_aspect")
            if pick is None:
                return None
            sub = await s.get(SchemeSubcriterion, pick.subcriterion_id)
            mark = marks.get(pick.id)
            result = (
                await s.execute(
                    select(AspectResult).where(
                        AspectResult.target_id == target_id, AspectResult.aspect_id == pick.id
                    )
                )
            ).scalar_one_or_none()
            flagged = bool(mark is not None and mark.stale and result is not None)
            return ScoreItem(
                scheme_id=scheme.id,
                target_id=target_id,
                target_label=target_label(target),
                aspect_id=pick.id,
                code=pick.code,
                title=pick.title,
                kind=pick.kind,
                max_points=Decimal(pick.max_points),
                options=options_of(pick),
                current=mark.value if mark is not None else None,
                rescore=bool(mark is not None and mark.stale),
                scored=done,
                total=len(aspects),
                subcriterion=f"{sub.code} {sub.title}" if sub else "",
                round=result.rounds if result is not None else 0,
                group_marks=tuple(result.flagged_marks or ()) if flagged and result else (),
            )

    async def _open_correction(
        self, s: AsyncSession, target_id: int, subcriterion_id: int
    ) -> Correction | None:
        return (
            (
                await s.execute(
                    select(Correction).where(
                        Correction.target_id == target_id,
                        Correction.subcriterion_id == subcriterion_id,
                        Correction.status == "open",
                    )
                )
            )
            .scalars()
            .first()
        )

    async def enter_mark(
        self,
        actor: int,
        target_id: int,
        aspect_id: int,
        value: int,
        *,
        for_expert: int | None = None,
        expect: Expected | None = None,
    ) -> MarkOutcome:
        """Enter or change one mark. An expert scores the aspects of their groups (R-SCO-4)
        before the score lock and the evaluation deadline (R-APP-7), never their own
        participant as mentor (R-ROLE-3). After the lock only the chief expert changes a
        mark, for another expert (``for_expert``), inside an open correction (R-SCO-6).
        Every change is audited with the old and new value (R-SCO-7).

        ``expect`` (the Mini App, issue #16): the cell as the client last saw it — its value
        and the aspect's re-score round. If the mark was changed elsewhere meanwhile (another
        device, the chat) or the group was asked to re-score, nothing is written and
        ``mark_conflict`` says what the cell holds now."""
        expert = for_expert if for_expert is not None else actor
        async with self.uow() as uow:
            s = uow.session
            target, scheme = await target_row(s, target_id)
            aspect = await s.get(SchemeAspect, aspect_id)
            if aspect is None or aspect.scheme_id != scheme.id:
                raise NotFound("aspect_not_found")
            sub = await s.get(SchemeSubcriterion, aspect.subcriterion_id)
            assert sub is not None
            correction: Correction | None = None
            if for_expert is not None:
                await require_chief(s, self.ctx, actor, scheme)
                correction = await self._open_correction(s, target_id, sub.id)
                if (
                    correction is not None
                ):  # held: the relock waits for this mark, or this mark sees the relock
                    correction = await lock_row(s, Correction, correction.id)
                if correction is None or correction.status != "open":
                    raise DomainError("no_open_correction")
            else:
                # held FOR SHARE: entries run side by side, the score lock and a confirmation wait
                scheme = await share_row(s, Scheme, scheme.id)
                if not await is_expert(s, actor, scheme.contest_id):
                    raise Forbidden("not_expert")
                if scheme.scores_locked_at is not None:
                    raise DomainError("scores_locked")
                if scheme.locked_at is None:
                    raise DomainError("scheme_not_locked")
                stage = await s.get(Stage, scheme.stage_id)
                if stage is not None and rules.deadline_passed(stage.evaluation_deadline, uow.now):
                    contest = await s.get(Contest, scheme.contest_id)
                    raise DomainError(
                        "evaluation_closed",
                        deadline=stage.evaluation_deadline,
                        tz=contest.timezone if contest else "Europe/Moscow",
                    )
            if target.mentor_telegram_id == expert and target.mentor_allowed_at is None:
                raise Forbidden("mentor_conflict")
            group = await s.get(AssessmentGroup, sub.group_id) if sub.group_id else None
            members = (
                [
                    m
                    for m in (
                        await s.execute(
                            select(GroupMember.telegram_id).where(GroupMember.group_id == group.id)
                        )
                    ).scalars()
                ]
                if group is not None
                else []
            )
            if expert not in members:
                raise Forbidden("not_your_aspect")
            check_value(aspect, value)
            # the group's result row first, locked: entries of one aspect run one at a time
            await s.execute(
                insert_for(s)(AspectResult)
                .values(
                    target_id=target_id,
                    aspect_id=aspect_id,
                    scheme_id=scheme.id,
                    state="incomplete",
                    marks=0,
                    rounds=0,
                    updated_at=uow.now,
                )
                .on_conflict_do_nothing(index_elements=["target_id", "aspect_id"])
            )
            result = (
                await s.execute(
                    select(AspectResult)
                    .where(AspectResult.target_id == target_id, AspectResult.aspect_id == aspect_id)
                    .with_for_update()
                )
            ).scalar_one()
            score = (
                await s.execute(
                    select(Score)
                    .where(
                        Score.target_id == target_id,
                        Score.aspect_id == aspect_id,
                        Score.expert_telegram_id == expert,
                    )
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if for_expert is None and score is not None and not score.stale:
                if await confirmation(s, scheme.id, "expert", expert) is not None:
                    raise DomainError("sheet_confirmed")
            current = None if score is None else score.value
            # a resend of a mark already saved (its answer lost with the network) is no conflict
            if expect is not None and (
                expect.round != result.rounds or current not in (expect.value, value)
            ):
                raise DomainError(
                    "mark_conflict",
                    current="—" if score is None else score.value,
                    round=result.rounds,
                )
            old = None if score is None else score.value
            rounds_before = result.rounds
            changed = score is None or score.value != value or score.stale
            if score is None:
                score = Score(
                    target_id=target_id,
                    aspect_id=aspect_id,
                    expert_telegram_id=expert,
                    value=value,
                    stale=False,
                    entered_at=uow.now,
                    updated_at=uow.now,
                )
                s.add(score)
            else:
                score.value = value
                score.stale = False
                score.updated_at = uow.now
            await s.flush()
            if changed:
                uow.audit(
                    actor,
                    "score.correct" if correction is not None else "score.enter",
                    "score",
                    score.id,
                    contest_id=scheme.contest_id,
                    before=None if old is None else {"value": old},
                    after={
                        "value": value,
                        "target_id": target_id,
                        "aspect": aspect.code,
                        "expert": expert,
                        **({"correction_id": correction.id} if correction else {}),
                    },
                )
            # the mentor of this participant does not score them (R-ROLE-3): the group's
            # result is then made of the other members' marks
            scorers = [
                m
                for m in members
                if m != target.mentor_telegram_id or target.mentor_allowed_at is not None
            ]
            await self._recompute(uow, scheme, target, aspect, group, scorers, result)
            done, total = await self._progress_of(s, expert, scheme.id, target_id)
            return MarkOutcome(
                result.state,
                result.points,
                done,
                total,
                changed,
                flagged=result.rounds > rounds_before,
                round=result.rounds,
                value=value,
            )

    async def _recompute(
        self,
        uow: UnitOfWork,
        scheme: Scheme,
        target: EvaluationTarget,
        aspect: SchemeAspect,
        group: AssessmentGroup | None,
        members: list[int],
        result: AspectResult,
    ) -> None:
        """The group's result from every current mark (R-SCO-1…3). A spread over one (or a
        tie) makes every mark of the aspect stale, tells the group, and withdraws the
        members' confirmations: they score it again."""
        s = uow.session
        marks = (
            (
                await s.execute(
                    select(Score).where(
                        Score.target_id == target.id,
                        Score.aspect_id == aspect.id,
                        Score.expert_telegram_id.in_(members),
                    )
                )
            )
            .scalars()
            .all()
        )
        fresh = [m for m in marks if not m.stale]
        result.marks = len(fresh)
        result.updated_at = uow.now
        if len(fresh) < len(members) or not members:
            result.state = (
                "incomplete"
                if result.state not in ("rescore", "tie") or not any(m.stale for m in marks)
                else result.state
            )
            result.points = None
            return
        state, points = aspect_outcome(aspect, [m.value for m in fresh])
        result.state = state
        result.points = points
        if state == "scored":
            return
        result.rounds += 1
        result.marks = 0  # every mark of the aspect is to be given again
        result.flagged_marks = sorted(m.value for m in fresh)
        for m in fresh:
            m.stale = True
        await s.execute(
            update(SheetConfirmation)
            .where(
                SheetConfirmation.scheme_id == scheme.id,
                SheetConfirmation.kind == "expert",
                SheetConfirmation.telegram_id.in_(members),
                SheetConfirmation.revoked_at.is_(None),
            )
            .values(revoked_at=uow.now)
        )
        uow.audit(
            None,
            "score.rescore" if state == "rescore" else "score.tie",
            "aspect_result",
            result.id,
            contest_id=scheme.contest_id,
            after={
                "target_id": target.id,
                "aspect": aspect.code,
                "marks": sorted(m.value for m in fresh),
                "round": result.rounds,
                # who gave which mark: the chief expert's marking analytics (issue #16)
                "by_expert": {str(m.expert_telegram_id): m.value for m in fresh},
            },
        )
        for member in members:
            await tell(
                uow,
                member,
                f"{target.id}:{aspect.id}:{result.rounds}",
                "sco-note-" + state,
                {
                    "target": target_label(target),
                    "aspect": f"{aspect.code} {aspect.title}",
                    "marks": ", ".join(str(m.value) for m in fresh),
                    "scheme": scheme.title,
                },
                reason="rescore",
                keyboard=[
                    [
                        {
                            "text": "sco-btn-rescore",
                            "action": "score",
                            "contest_id": str(scheme.contest_id),
                            "target": str(target.id),
                            "aspect": str(aspect.id),
                        }
                    ]
                ],
            )

    async def confirm_sheet(self, actor: int, scheme_id: int) -> None:
        """«Подтвердить оценки»: every assigned aspect of every target scored, none waiting
        for a re-score (R-SCO-4)."""
        async with self.uow() as uow:
            s = uow.session
            # the scheme held first: a double tap confirms once, the score lock waits, and the
            # marks entered meanwhile (which hold the scheme FOR SHARE) are all seen below
            await scheme_row(s, scheme_id, lock=True)
            scheme = await self._confirm_sheet_checks(s, actor, scheme_id)
            # the confirmation first, then this expert's marks read under lock: a re-score
            # entered at the same time either withdraws this confirmation or is seen here as
            # a stale mark — never both missed (a refusal below rolls the row back)
            s.add(
                SheetConfirmation(
                    scheme_id=scheme_id, kind="expert", telegram_id=actor, confirmed_at=uow.now
                )
            )
            await s.flush()
            aspects = await assigned_aspects(s, actor, scheme_id)
            targets = await scoreable_targets(s, actor, scheme_id)
            marks = await my_marks(s, actor, scheme_id, lock=True)
            missing = sum(
                1
                for t in targets
                for a in aspects
                if (t.id, a.id) not in marks or marks[(t.id, a.id)].stale
            )
            if missing:
                raise DomainError("sheet_incomplete", missing=missing)
            if not targets:
                raise DomainError("no_targets")
            uow.audit(
                actor,
                "sheet.confirm",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"marks": len(targets) * len(aspects)},
            )

    async def _confirm_sheet_checks(self, s: AsyncSession, actor: int, scheme_id: int) -> Scheme:
        scheme = await expert_scheme(s, actor, scheme_id)
        await scores_unlocked(s, scheme)
        done = await confirmation(s, scheme_id, "expert", actor)
        if done is not None:
            raise DomainError(
                "sheet_already_confirmed",
                at=done.confirmed_at,
                tz=await contest_tz(s, scheme.contest_id),
            )
        return scheme

    async def check_confirm_sheet(self, actor: int, scheme_id: int) -> None:
        """Before «Подтвердить оценки?» is asked: refused at once if already done or locked."""
        async with self.read() as s:
            await self._confirm_sheet_checks(s, actor, scheme_id)
