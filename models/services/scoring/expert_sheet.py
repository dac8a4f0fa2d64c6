"""An expert's own sheet for one participant (issue #16): every aspect of their groups, by
subcriterion, with their current mark, what is missing and what waits for a re-score — the
table the Mini App shows and the chat's review before «Подтвердить оценки» (R-SCO-4).

Only the expert's OWN marks are shown; for an aspect waiting for their re-score, the group's
compared marks (without names) as the re-score message already told them (R-SCO-1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from models.errors import Forbidden
from models.services.base import Service
from models.services.scoring.common import (
    confirmation,
    options_of,
    own_target,
    scoreable_targets,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import Option
from models.tables import AspectResult, SchemeSubcriterion


@dataclass(frozen=True, slots=True)
class SheetCell:
    """One aspect on the expert's sheet."""

    aspect_id: int
    code: str
    title: str
    kind: str
    max_points: Decimal
    options: tuple[Option, ...]
    #: the expert's own mark (a stale one too: the value they gave before the re-score)
    value: int | None
    #: the mark waits for a re-score (the group's marks differed, R-SCO-1 / a tie, R-SCO-2)
    stale: bool
    #: the aspect's re-score round: sent back with a change (``Expected``) to catch conflicts
    round: int
    #: while ``stale``: the group's marks that were compared (sorted, no names)
    group_marks: tuple[int, ...]

    @property
    def done(self) -> bool:
        return self.value is not None and not self.stale


@dataclass(frozen=True, slots=True)
class SheetSection:
    """One subcriterion: its aspects of the expert's groups."""

    subcriterion_id: int
    code: str
    title: str
    cells: tuple[SheetCell, ...]

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if not c.done)


@dataclass(frozen=True, slots=True)
class ExpertSheet:
    scheme_id: int
    scheme_title: str
    target_id: int
    target_label: str
    sections: tuple[SheetSection, ...]
    #: the expert has confirmed their marks of the scheme (R-SCO-4): cells no longer change
    confirmed: bool
    scores_locked: bool

    @property
    def scored(self) -> int:
        return sum(1 for sec in self.sections for c in sec.cells if c.done)

    @property
    def total(self) -> int:
        return sum(len(sec.cells) for sec in self.sections)

    @property
    def editable(self) -> bool:
        return not self.scores_locked and not self.confirmed

    def can_change(self, cell: SheetCell) -> bool:
        """As ``enter_mark`` decides: nothing after the score lock; after the confirmation only a
        mark the group was asked to give again (R-SCO-1/2)."""
        return not self.scores_locked and (not self.confirmed or cell.stale)


@dataclass(frozen=True, slots=True)
class SheetTarget:
    target_id: int
    label: str
    scored: int
    total: int


class ExpertSheetService(Service):
    """Read-only views of an expert's own marks; every change goes through ``services.marks``."""

    async def sheet(self, actor: int, target_id: int) -> ExpertSheet:
        """The expert's sheet of one participant. Refused (Forbidden) unless ``actor`` is an
        expert of the contest in a group of the scheme, and never for their own participant
        as mentor (R-ROLE-3) — the same checks as entering a mark."""
        async with self.read() as s:
            own = await own_target(s, actor, target_id)
            target, scheme, aspects, marks = own.target, own.scheme, own.aspects, own.marks
            if target.id not in {t.id for t in await scoreable_targets(s, actor, scheme.id)}:
                raise Forbidden("not_your_aspect")
            results = {
                r.aspect_id: r
                for r in (
                    await s.execute(select(AspectResult).where(AspectResult.target_id == target_id))
                ).scalars()
            }
            subs = {
                sub.id: sub
                for sub in (
                    await s.execute(
                        select(SchemeSubcriterion).where(SchemeSubcriterion.scheme_id == scheme.id)
                    )
                ).scalars()
            }
            sections: dict[int, list[SheetCell]] = {}
            for a in aspects:
                mark = marks.get(a.id)
                result = results.get(a.id)
                stale = bool(mark is not None and mark.stale)
                sections.setdefault(a.subcriterion_id, []).append(
                    SheetCell(
                        aspect_id=a.id,
                        code=a.code,
                        title=a.title,
                        kind=a.kind,
                        max_points=Decimal(a.max_points),
                        options=tuple(options_of(a)),
                        value=mark.value if mark is not None else None,
                        stale=stale,
                        round=result.rounds if result is not None else 0,
                        group_marks=tuple(result.flagged_marks or ())
                        if stale and result is not None
                        else (),
                    )
                )
            confirmed = await confirmation(s, scheme.id, "expert", actor)
            return ExpertSheet(
                scheme_id=scheme.id,
                scheme_title=scheme.title,
                target_id=target.id,
                target_label=target_label(target),
                sections=tuple(
                    SheetSection(sub_id, subs[sub_id].code, subs[sub_id].title, tuple(cells))
                    for sub_id, cells in sections.items()
                ),
                confirmed=confirmed is not None,
                scores_locked=scheme.scores_locked_at is not None,
            )
