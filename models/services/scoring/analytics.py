"""The chief expert's marking analytics (issue #16): per expert of a scheme, their mean mark
against their group's on the same items, how often they stood apart in a re-score, and how
many marks they changed.

R-SCO-5: nobody sees other people's marks before the results are published. Before the
score lock the chief expert sees *counts* only (marks entered, re-score comparisons and
outliers, changes); the means only once ``Scheme.scores_locked_at`` is set. Who may see it:
the chief expert of the scheme (an admin may act for them), checked here (R-ROLE-2).

Sources, read only:

- the current marks (``scores``, not awaiting a re-score) — the means;
- the audit trail (R-SCO-7): ``score.rescore`` / ``score.tie`` rows name who gave which mark
  (``after.by_expert``, written since issue #16; older rows cannot name anyone and are
  counted apart), ``score.enter`` rows with an old value are marks changed before
  confirmation, ``score.correct`` rows marks changed in a correction after the lock
  (R-SCO-6). Re-entering a mark the group was asked to re-score is not a change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.rules import AspectKind
from models.rules.scoring import rescore_outliers
from models.services.access import require_chief
from models.services.base import Service
from models.services.scoring.common import person_name, scheme_row
from models.tables import (
    AssessmentGroup,
    AuditRecord,
    EvaluationTarget,
    GroupMember,
    SchemeAspect,
    Score,
)

#: a mean is shown with two decimals, rounded half up
_MEAN_QUANTUM = Decimal("0.01")
_COMPARED = ("score.rescore", "score.tie")
_ENTRIES = ("score.enter", "score.correct")


@dataclass(frozen=True, slots=True)
class ExpertAnalytics:
    """One expert's line. The means are ``None`` before the score lock (R-SCO-5) and when
    there is nothing to average.

    ``mean`` / ``group_mean``: judgement marks (0–3, R-SCO-1) — the expert's own, and every
    group member's (the expert's included) on the same participant × aspect items;
    ``yes_share`` / ``group_yes_share``: the same for yes/no aspects (R-SCO-2), as the share
    of «Да» (0–1). Discrete aspects (R-SCO-3) are left out: an option's index is no scale."""

    telegram_id: int
    name: str
    groups: tuple[str, ...]
    marks: int
    judgement_marks: int
    binary_marks: int
    mean: Decimal | None
    group_mean: Decimal | None
    yes_share: Decimal | None
    group_yes_share: Decimal | None
    comparisons: int
    outliers: int
    changed: int
    corrected: int


@dataclass(frozen=True, slots=True)
class MarkingAnalytics:
    scheme_id: int
    title: str
    scores_locked: bool
    experts: list[ExpertAnalytics]
    #: re-score and tie comparisons that name their experts / older ones that cannot
    comparisons: int
    no_data: int

    @property
    def means_shown(self) -> bool:
        """R-SCO-5: the means only after the score lock."""
        return self.scores_locked


def _mean(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(_MEAN_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass
class _Tally:
    comparisons: int = 0
    outliers: int = 0
    changed: int = 0
    corrected: int = 0


def _expert_of(after: dict[str, Any]) -> int | None:
    try:
        return int(after["expert"])
    except (KeyError, TypeError, ValueError):
        return None


def tally_audit(
    rows: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
) -> tuple[dict[int, _Tally], int, int]:
    """Walk a scheme's scoring audit rows in order: ``(action, before, after)``. Returns each
    expert's tally, the comparisons that name their experts and those that cannot.

    A re-score (or tie) makes every compared mark of the item one to give again (the group
    compares only when every scorer's mark is in, so every scorer's); the next entry of such
    a mark is the re-score, not a change of mind. A first mark (no old value) is neither, so
    the caller need not read those rows."""
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    to_rescore: set[tuple[Any, Any, int]] = set()
    #: items compared before issue #16 (who was compared unknown: every scorer) → who re-scored
    unknown: dict[tuple[Any, Any], set[int]] = {}
    named = unnamed = 0
    for action, before, after in rows:
        after = after or {}
        item = (after.get("target_id"), after.get("aspect"))
        if action in _COMPARED:
            by_expert = after.get("by_expert")
            if isinstance(by_expert, dict) and by_expert:
                marks = {int(k): int(v) for k, v in by_expert.items()}
                named += 1
                for who in marks:
                    tallies[who].comparisons += 1
                for who in rescore_outliers(marks):  # R-SCO-1
                    tallies[who].outliers += 1
                to_rescore |= {(*item, who) for who in marks}
                unknown.pop(item, None)
            else:  # before issue #16: the marks without their experts
                unnamed += 1
                unknown[item] = set()
            continue
        expert = _expert_of(after)
        if expert is None or before is None:
            continue
        if (*item, expert) in to_rescore:
            to_rescore.discard((*item, expert))
            continue
        if item in unknown and expert not in unknown[item]:
            unknown[item].add(expert)
            continue
        if action == "score.correct":
            tallies[expert].corrected += 1  # R-SCO-6: after the lock, in a correction
        else:
            tallies[expert].changed += 1  # before confirmation
    return tallies, named, unnamed


class MarkingAnalyticsService(Service):
    """The chief expert's marking analytics of a scheme (issue #16, R-SCO-5)."""

    async def analytics(self, actor: int, scheme_id: int) -> MarkingAnalytics:
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            await require_chief(s, self.ctx, actor, scheme)  # R-ROLE-2
            locked = scheme.scores_locked_at is not None
            groups = await self._groups(s, scheme_id)
            targets = set(
                (
                    await s.execute(
                        select(EvaluationTarget.id).where(EvaluationTarget.scheme_id == scheme_id)
                    )
                ).scalars()
            )
            rows = [
                (action, before, after)
                for action, before, after in (
                    await s.execute(
                        select(AuditRecord.action, AuditRecord.before, AuditRecord.after)
                        .where(
                            AuditRecord.contest_id == scheme.contest_id,
                            or_(
                                AuditRecord.action.in_(_COMPARED),
                                and_(
                                    AuditRecord.action.in_(_ENTRIES),
                                    # a first mark is no change: most rows, left in the
                                    # database (``None`` is stored as JSON ``null``)
                                    cast(AuditRecord.before, Text) != "null",
                                ),
                            ),
                        )
                        .order_by(AuditRecord.id)
                    )
                ).all()
                if isinstance(after, dict) and after.get("target_id") in targets
            ]
            tallies, named, unnamed = tally_audit(rows)
            marks = await self._marks(s, scheme_id)
            experts = sorted(set(groups) | {m.expert for m in marks} | set(tallies))
            stats = _mark_stats(marks)
            lines = []
            for e in experts:
                st = stats.get(e, _Stats())
                tally = tallies.get(e, _Tally())
                lines.append(
                    ExpertAnalytics(
                        telegram_id=e,
                        name=await person_name(s, scheme.contest_id, e),
                        groups=tuple(groups.get(e, ())),
                        marks=st.marks,
                        judgement_marks=st.judgement[1],
                        binary_marks=st.binary[1],
                        mean=_mean(*st.judgement) if locked else None,
                        group_mean=_mean(*st.group_judgement) if locked else None,
                        yes_share=_mean(*st.binary) if locked else None,
                        group_yes_share=_mean(*st.group_binary) if locked else None,
                        comparisons=tally.comparisons,
                        outliers=tally.outliers,
                        changed=tally.changed,
                        corrected=tally.corrected,
                    )
                )
            lines.sort(key=lambda x: (x.name.casefold(), x.telegram_id))
            return MarkingAnalytics(scheme_id, scheme.title, locked, lines, named, unnamed)

    async def _groups(self, s: AsyncSession, scheme_id: int) -> dict[int, list[str]]:
        """Each member of the scheme's groups: the codes of their groups."""
        out: dict[int, list[str]] = defaultdict(list)
        for who, code in (
            await s.execute(
                select(GroupMember.telegram_id, AssessmentGroup.code)
                .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                .where(AssessmentGroup.scheme_id == scheme_id)
                .order_by(AssessmentGroup.code)
            )
        ).all():
            out[who].append(code)
        return out

    async def _marks(self, s: AsyncSession, scheme_id: int) -> list[_Mark]:
        """The current marks of the scheme (not awaiting a re-score), with their kind."""
        rows = await s.execute(
            select(
                Score.target_id,
                Score.aspect_id,
                Score.expert_telegram_id,
                Score.value,
                SchemeAspect.kind,
            )
            .join(SchemeAspect, SchemeAspect.id == Score.aspect_id)
            .where(SchemeAspect.scheme_id == scheme_id, Score.stale.is_(False))
        )
        return [_Mark(t, a, e, v, k) for t, a, e, v, k in rows.all()]


@dataclass(frozen=True, slots=True)
class _Mark:
    target_id: int
    aspect_id: int
    expert: int
    value: int
    kind: str


@dataclass
class _Stats:
    """One expert's sums and counts: (sum, count) pairs."""

    marks: int = 0
    judgement: tuple[int, int] = (0, 0)
    binary: tuple[int, int] = (0, 0)
    group_judgement: tuple[int, int] = (0, 0)
    group_binary: tuple[int, int] = (0, 0)


def _add(pair: tuple[int, int], total: int, count: int) -> tuple[int, int]:
    return pair[0] + total, pair[1] + count


def _mark_stats(marks: list[_Mark]) -> dict[int, _Stats]:
    """Each expert's judgement and yes/no sums, and their group's on the same items: every
    mark of an item is given by the group that scores its subcriterion (R-SCH-4)."""
    items: dict[tuple[int, int], list[_Mark]] = defaultdict(list)
    for m in marks:
        items[(m.target_id, m.aspect_id)].append(m)
    stats: dict[int, _Stats] = defaultdict(_Stats)
    for m in marks:
        st = stats[m.expert]
        st.marks += 1
        same = items[(m.target_id, m.aspect_id)]
        total = sum(x.value for x in same)
        if m.kind == AspectKind.JUDGEMENT:
            st.judgement = _add(st.judgement, m.value, 1)
            st.group_judgement = _add(st.group_judgement, total, len(same))
        elif m.kind == AspectKind.BINARY:
            st.binary = _add(st.binary, m.value, 1)
            st.group_binary = _add(st.group_binary, total, len(same))
    return stats
