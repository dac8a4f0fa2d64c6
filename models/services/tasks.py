"""Task texts (тексты конкурсных заданий, R-COO-4; 000 §4, §7): delivered electronically,
the time of each participant's first access recorded once; a time-limited task closes when
its time runs out and later answers are refused with the deadline named."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.errors import DomainError, Forbidden, NotFound
from models.filestore import store_bytes
from models.filetypes import HEAD_BYTES
from models.rules import OfferedFile, VerificationStatus
from models.services.access import coordinator_scope
from models.services.base import Service, lock
from models.services.contests import stage_at
from models.services.participants.files import file_refusal_error
from models.services.staff_history import actor_name
from models.tables import Contest, Participant, Person, TaskAccess, TaskSubmission, TaskText

MAX_TITLE = 200
MAX_LIMIT_MINUTES = 7 * 24 * 60

#: What an answer to a task may be (R-COO-4; issue #15: the same checks as application files)
ANSWER_TYPES = (
    "pdf",
    "doc",
    "docx",
    "ppt",
    "pptx",
    "xls",
    "xlsx",
    "odt",
    "odp",
    "ods",
    "rtf",
    "txt",
    "jpg",
    "png",
    "zip",
    "rar",
    "7z",
    "mp4",
    "mov",
)


def answer_requirement(download_limit: int) -> rules.FileRequirement:
    """An answer is one document of an allowed type, no larger than the bot can download."""
    return rules.FileRequirement("answer", rules.FileKind.DOCUMENT, ANSWER_TYPES, download_limit)


class FileLike(Protocol):
    """A file as Telegram describes it (``TelegramFile``, a frozen dataclass: read-only)."""

    @property
    def file_id(self) -> str: ...
    @property
    def file_unique_id(self) -> str: ...
    @property
    def file_name(self) -> str | None: ...
    @property
    def mime_type(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class TaskItem:
    id: int
    contest_id: int
    title: str
    file_name: str | None
    time_limit_minutes: int | None
    closes_at: datetime | None
    timezone: str
    first_access_at: datetime | None = None
    #: this participant's deadline (None: not time-limited, or the clock has not started)
    deadline: datetime | None = None
    closed: bool = False
    submitted_at: datetime | None = None
    opened_count: int = 0
    submitted_count: int = 0


@dataclass(frozen=True, slots=True)
class OpenedTask:
    task: TaskItem
    file_id: str
    first_time: bool


def participant_deadline(task: TaskText, first_access_at: datetime | None) -> datetime | None:
    """R-COO-4: the limit counts from the first access; ``closes_at`` caps it for all."""
    candidates = [task.closes_at] if task.closes_at is not None else []
    if task.time_limit_minutes and first_access_at is not None:
        candidates.append(first_access_at + timedelta(minutes=task.time_limit_minutes))
    return min(candidates) if candidates else None


def _item(
    task: TaskText,
    contest: Contest,
    now: datetime,
    access: datetime | None = None,
    submitted: datetime | None = None,
    **counts: int,
) -> TaskItem:
    deadline = participant_deadline(task, access)
    return TaskItem(
        id=task.id,
        contest_id=task.contest_id,
        title=task.title,
        file_name=task.file_name,
        time_limit_minutes=task.time_limit_minutes,
        closes_at=task.closes_at,
        timezone=contest.timezone,
        first_access_at=access,
        deadline=deadline,
        closed=rules.deadline_passed(deadline, now),
        submitted_at=submitted,
        **counts,
    )


class TaskTextService(Service):
    # ------------------------------------------------------------------ coordinator

    async def _publisher(self, s: AsyncSession, actor: int, contest_id: int) -> None:
        """A task is for the whole contest, so it is published by whoever coordinates the
        whole contest (federal coordinator, admin): a regional coordinator would otherwise
        set tasks for other regions' participants."""
        scope = await coordinator_scope(s, self.ctx, actor, contest_id)
        if scope is not None:
            raise Forbidden("task_federal_only")

    async def check_publisher(self, actor: int, contest_id: int) -> None:
        async with self.read() as s:
            await self._publisher(s, actor, contest_id)

    async def publish(
        self,
        actor: int,
        contest_id: int,
        title: str,
        telegram_file_id: str,
        file_name: str | None,
        time_limit_minutes: int | None = None,
        closes_at: datetime | None = None,
    ) -> TaskItem:
        """R-COO-4: publish a task text and tell every accepted participant (one outbox row
        each). The very same task (file, title, limit, closing time) is published once: a
        repeated publication is refused with who published it and when (issue #12)."""
        title = (title or "").strip()
        if not title or len(title) > MAX_TITLE:
            raise DomainError("task_bad_title", limit=MAX_TITLE)
        if time_limit_minutes is not None and not 1 <= time_limit_minutes <= MAX_LIMIT_MINUTES:
            raise DomainError("task_bad_limit", limit=MAX_LIMIT_MINUTES)
        if not telegram_file_id:
            raise DomainError("task_no_file")
        async with self.uow() as uow:
            s = uow.session
            await self._publisher(s, actor, contest_id)
            # Publications of a contest are serialised (the contest row is locked; SQLite: the
            # unit of work's write lock), so a double «publish» — one coordinator's repeated
            # answer, or two federal coordinators with the same file — publishes once (issue #12).
            if await lock(s, Contest, contest_id) is None:
                raise NotFound("contest_not_found")
            contest = await s.get(Contest, contest_id, options=[selectinload(Contest.stages)])
            if contest is None:
                raise NotFound("contest_not_found")
            same = (
                await s.execute(
                    select(TaskText)
                    .where(
                        TaskText.contest_id == contest_id,
                        TaskText.telegram_file_id == telegram_file_id,
                        TaskText.title == title,
                        TaskText.time_limit_minutes.is_(None)
                        if time_limit_minutes is None
                        else TaskText.time_limit_minutes == time_limit_minutes,
                        TaskText.closes_at.is_(None)
                        if closes_at is None
                        else TaskText.closes_at == closes_at,
                    )
                    .limit(1)
                )
            ).scalar_one_or_none()
            if same is not None:
                raise DomainError(
                    "task_already_published",
                    title=title,
                    who=await actor_name(s, contest_id, same.published_by),
                    at=same.published_at,
                    tz=contest.timezone,
                )
            if closes_at is not None and closes_at <= uow.now:
                raise DomainError("task_closes_in_past", at=closes_at, tz=contest.timezone)
            stage = stage_at(contest, uow.now)
            task = TaskText(
                contest_id=contest_id,
                stage_id=stage.id if stage else None,
                title=title,
                telegram_file_id=telegram_file_id,
                file_name=file_name,
                time_limit_minutes=time_limit_minutes,
                closes_at=closes_at,
                published_by=actor,
                published_at=uow.now,
            )
            s.add(task)
            await s.flush()
            uow.audit(
                actor,
                "task.publish",
                "task_text",
                task.id,
                contest_id=contest_id,
                after={
                    "title": title,
                    "file_name": file_name,
                    "time_limit_minutes": time_limit_minutes,
                    "closes_at": closes_at.isoformat() if closes_at else None,
                },
            )
            people = (
                await s.execute(
                    select(Person)
                    .join(Participant, Participant.person_id == Person.id)
                    .where(
                        Participant.contest_id == contest_id,
                        Participant.verification_status == VerificationStatus.ACCEPTED,
                    )
                )
            ).scalars()
            limit = time_limit_minutes or 0
            for person in people:
                await uow.notify(
                    reason="task_published",
                    subject=f"task:{task.id}",
                    chat_id=person.chat_id or person.telegram_id,
                    language=person.language,
                    key="task-published",
                    args={"contest": contest.title, "title": title, "limit": limit},
                    keyboard=[
                        [
                            {
                                "text": "task-btn-open",
                                "action": f"task-{task.id}",
                                "contest_id": str(contest_id),
                            }
                        ]
                    ],
                )
            return _item(task, contest, uow.now)

    async def published(self, actor: int, contest_id: int) -> list[TaskItem]:
        """The contest's tasks with how many participants opened and answered each."""
        async with self.read() as s:
            await coordinator_scope(s, self.ctx, actor, contest_id)
            contest = await s.get(Contest, contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            tasks = (
                (
                    await s.execute(
                        select(TaskText)
                        .where(TaskText.contest_id == contest_id)
                        .order_by(TaskText.published_at, TaskText.id)
                    )
                )
                .scalars()
                .all()
            )
            ids = [t.id for t in tasks]
            opened = dict(
                (
                    await s.execute(
                        select(TaskAccess.task_text_id, func.count())
                        .where(TaskAccess.task_text_id.in_(ids))
                        .group_by(TaskAccess.task_text_id)
                    )
                ).all()
            )
            answered = dict(
                (
                    await s.execute(
                        select(
                            TaskSubmission.task_text_id,
                            func.count(func.distinct(TaskSubmission.participant_id)),
                        )
                        .where(TaskSubmission.task_text_id.in_(ids))
                        .group_by(TaskSubmission.task_text_id)
                    )
                ).all()
            )
            now = self.ctx.clock.now()
            return [
                _item(
                    t,
                    contest,
                    now,
                    opened_count=opened.get(t.id, 0),
                    submitted_count=answered.get(t.id, 0),
                )
                for t in tasks
            ]

    # ------------------------------------------------------------------ participant

    async def tasks_for(self, telegram_id: int, contest_id: int) -> list[TaskItem]:
        async with self.read() as s:
            p = await self._participant(s, telegram_id, contest_id)
            contest = await s.get(Contest, contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            tasks = (
                (
                    await s.execute(
                        select(TaskText)
                        .where(TaskText.contest_id == contest_id)
                        .order_by(TaskText.published_at, TaskText.id)
                    )
                )
                .scalars()
                .all()
            )
            access = dict(
                (
                    await s.execute(
                        select(TaskAccess.task_text_id, TaskAccess.first_access_at).where(
                            TaskAccess.participant_id == p.id
                        )
                    )
                ).all()
            )
            last = dict(
                (
                    await s.execute(
                        select(TaskSubmission.task_text_id, func.max(TaskSubmission.submitted_at))
                        .where(TaskSubmission.participant_id == p.id)
                        .group_by(TaskSubmission.task_text_id)
                    )
                ).all()
            )
            now = self.ctx.clock.now()
            return [_item(t, contest, now, access.get(t.id), last.get(t.id)) for t in tasks]

    async def open(self, telegram_id: int, task_id: int) -> OpenedTask:
        """R-COO-4: the text is handed out and the first access recorded — once: a second
        open changes nothing (the unique key settles a race of two presses)."""
        async with self.uow() as uow:
            s = uow.session
            task, p, contest = await self._task(s, telegram_id, task_id)
            insert = (
                postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            )
            created = (
                await s.execute(
                    insert(TaskAccess)
                    .values(task_text_id=task.id, participant_id=p.id, first_access_at=uow.now)
                    .on_conflict_do_nothing(index_elements=["task_text_id", "participant_id"])
                    .returning(TaskAccess.id)
                )
            ).scalar_one_or_none()
            first = await self._first_access(s, task.id, p.id)
            if created is not None:
                uow.audit(
                    telegram_id,
                    "task.first_access",
                    "task_text",
                    task.id,
                    contest_id=task.contest_id,
                    after={"participant_id": p.id, "at": uow.now.isoformat()},
                )
            return OpenedTask(
                _item(task, contest, uow.now, first), task.telegram_file_id, created is not None
            )

    async def ensure_open(self, telegram_id: int, task_id: int) -> TaskItem:
        """Whether an answer would still be accepted now (refusing early in a conversation)."""
        async with self.read() as s:
            task, p, contest = await self._task(s, telegram_id, task_id)
            return self._check_open(
                task, contest, await self._first_access(s, task.id, p.id), self.ctx.clock.now()
            )

    def check_answer_offer(self, file: FileLike) -> None:
        """Before the content is downloaded: the name's type and the claimed size (R-COO-4)."""
        offered = OfferedFile(file.file_name, file.mime_type, file.size)
        refusal = rules.check_file(
            answer_requirement(self.ctx.download_limit), offered, self.ctx.download_limit
        )
        if refusal is not None:
            raise file_refusal_error(refusal, ANSWER_TYPES, file.size)

    async def submit(
        self, telegram_id: int, task_id: int, file: FileLike, content: bytes
    ) -> TaskItem:
        """An answer file; refused after the participant's deadline (R-COO-4, 000 §7). Its
        content (downloaded by the front end, bounded by the download limit) is checked like
        an application file — allowed type by name and by signature, size — and kept in the
        content-addressed store with its sha256 beside Telegram's file id (issue #15)."""
        refusal = rules.check_file(
            answer_requirement(self.ctx.download_limit),
            OfferedFile(file.file_name, file.mime_type, len(content), head=content[:HEAD_BYTES]),
            self.ctx.download_limit,
        )
        if refusal is not None:
            raise file_refusal_error(refusal, ANSWER_TYPES, len(content))
        if self.ctx.files_dir is None:
            raise DomainError("file_download_failed")
        async with self.read() as s:  # refused before anything is written when closed
            task, p, contest = await self._task(s, telegram_id, task_id)
            self._check_open(
                task, contest, await self._first_access(s, task.id, p.id), self.ctx.clock.now()
            )
        sha, path = await asyncio.to_thread(store_bytes, self.ctx.files_dir, content)
        async with self.uow() as uow:
            s = uow.session
            task, p, contest = await self._task(s, telegram_id, task_id)
            self._check_open(task, contest, await self._first_access(s, task.id, p.id), uow.now)
            row = TaskSubmission(
                task_text_id=task.id,
                participant_id=p.id,
                telegram_file_id=file.file_id,
                file_unique_id=file.file_unique_id,
                file_name=file.file_name,
                mime_type=file.mime_type,
                size=len(content),
                sha256=sha,
                storage_path=str(path),
                submitted_at=uow.now,
            )
            s.add(row)
            await s.flush()
            uow.audit(
                telegram_id,
                "task.submit",
                "task_submission",
                row.id,
                contest_id=task.contest_id,
                after={
                    "task_id": task.id,
                    "file_name": file.file_name,
                    "size": len(content),
                    "sha256": sha,
                },
            )
            return _item(
                task, contest, uow.now, await self._first_access(s, task.id, p.id), uow.now
            )

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _check_open(
        task: TaskText, contest: Contest, first: datetime | None, now: datetime
    ) -> TaskItem:
        if first is None:
            raise DomainError("task_not_opened")
        item = _item(task, contest, now, first)
        if item.closed:
            raise DomainError("task_closed", deadline=item.deadline, tz=contest.timezone)
        return item

    async def _participant(self, s: AsyncSession, telegram_id: int, contest_id: int) -> Participant:
        p = (
            (
                await s.execute(
                    select(Participant)
                    .join(Person, Person.id == Participant.person_id)
                    .where(Person.telegram_id == telegram_id, Participant.contest_id == contest_id)
                )
            )
            .scalars()
            .first()
        )
        if p is None or p.verification_status != VerificationStatus.ACCEPTED:
            raise DomainError("task_not_participant")
        return p

    async def _task(
        self, s: AsyncSession, telegram_id: int, task_id: int
    ) -> tuple[TaskText, Participant, Contest]:
        task = await s.get(TaskText, task_id)
        if task is None:
            raise NotFound("task_not_found")
        p = await self._participant(s, telegram_id, task.contest_id)
        contest = await s.get(Contest, task.contest_id)
        if contest is None:
            raise NotFound("contest_not_found")
        return task, p, contest

    @staticmethod
    async def _first_access(s: AsyncSession, task_id: int, participant_id: int) -> datetime | None:
        value = (
            await s.execute(
                select(TaskAccess.first_access_at).where(
                    TaskAccess.task_text_id == task_id, TaskAccess.participant_id == participant_id
                )
            )
        ).scalar_one_or_none()
        return value
