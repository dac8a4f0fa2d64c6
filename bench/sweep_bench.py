#!/usr/bin/env python
"""Sweep benchmark: does the reminder sweep cost grow with what is due, not with the size
of the contest?

Two scenarios, each in a freshly migrated PostgreSQL database with ``examples/contest.yaml``
loaded:

* BIG   — ``--big`` participants (1 000 000), of whom ``--due`` (10 000) are unfinished
  (stage form / nomination / application), the rest ``done`` (submitted application with
  files) or ``review`` (form sent, pending with a coordinator);
* SMALL — ``--small`` participants (10 000), ``--due`` of them unfinished (all of them by
  default), the same mix.

Both due populations are built from the same sequence ``k = 1..due``, so they are identical
in composition; only the rest of the contest differs. Tables are filled with set-based SQL
(``INSERT … SELECT … FROM generate_series``) and then ``VACUUM ANALYZE``-d.

For each scenario the real ``notifications.sweep.sweep`` (all registered reminder kinds) is
timed at ``now = deadline − 7 days + 1 minute`` (the 7-day deadline reminder is due) with a
no-op enqueue that counts calls; it is repeated ``--repeats`` times on the same data state
(the rows the sweep wrote are deleted and the tables vacuumed between runs) and the median is
reported, together with a second sweep right after (nothing due). Then the ratio BIG/SMALL
and ``EXPLAIN (ANALYZE, BUFFERS)`` of the queries involved, for BIG.

Usage::

    .venv/bin/python bench/sweep_bench.py [--url URL] [--big 1000000] [--small 10000] [--due 10000]

It refuses to touch a database whose name is ``contest_test`` (the test-suite's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import and_, event, or_, select  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from models import rules  # noqa: E402
from models.clock import FixedClock  # noqa: E402
from models.crypto import PersonalDataCipher  # noqa: E402
from models.db import create_engine, create_sessionmaker  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.services import ServiceContext, Services  # noqa: E402
from models.tables import Application, ApplicationFile, Contest, Delivery, Participant, Person  # noqa: E402
from notifications import sweep as sweep_module  # noqa: E402
from notifications.i18n import t  # noqa: E402
from notifications.reminders import REGISTRY, ApplicationDeadlineReminder  # noqa: E402
from notifications.sweep import REQUEUE_AFTER  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://contest@127.0.0.1:55432/contest_bench"
EXAMPLE = ROOT / "examples" / "contest.yaml"
MSK = ZoneInfo("Europe/Moscow")
#: the example's application deadline (2027-04-01, end of day, contest time)
EXPECTED_DEADLINE = datetime(2027, 4, 1, 23, 59, 59, tzinfo=MSK)
LOADED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=MSK)
CREATED_FROM = datetime(2026, 12, 1, 9, 0, tzinfo=MSK)
HERE = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# --------------------------------------------------------------------------- names

MALE_LAST = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
    "Белов Медведев Антонов Тарасов"
).split()
MALE_FIRST = (
    "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай Владимир "
    "Павел Роман Игорь Олег Денис Константин Виктор Юрий"
).split()
FEMALE_FIRST = (
    "Елена Ольга Наталья Татьяна Ирина Светлана Марина Анна Екатерина Юлия Людмила Галина Надежда "
    "Мария Валентина Анастасия Оксана Любовь Вера Лариса"
).split()
PATRONYMICS = [
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"),
    ("Алексеевич", "Алексеевна"),
    ("Иванович", "Ивановна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Павлович", "Павловна"),
    ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"),
    ("Петрович", "Петровна"),
    ("Олегович", "Олеговна"),
    ("Игоревич", "Игоревна"),
]

# plausible answers for the example's fields, by code (anything else gets a generic value)
FIELD_TEXT = {
    "position": "Социальный работник отделения социального обслуживания на дому",
    "education": "РГСУ, «Социальная работа», 2019",
    "practice_title": "«Социальный контракт — шаг к самостоятельности»",
    "practice_description": (
        "Цель — вывести малоимущие семьи из трудной жизненной ситуации. Целевая группа: семьи с детьми. "
        "Этапы: отбор, план, сопровождение. Заключено 148 социальных контрактов, 63 % получателей "
        "улучшили материальное положение."
    ),
}

NAMES_CTE = """nm AS (
    SELECT $1::text[] AS ml, $2::text[] AS mf, $3::text[] AS ff, $4::text[] AS mp, $5::text[] AS fp
)"""
# a multiplicative hash of i picks gender and name parts, so that every-100th-row samples
# (the due participants of BIG) are as varied as the whole
_H = "(i::bigint * 2654435761)"
FIRST_NAME = f"""CASE WHEN ({_H} >> 5) % 2 = 0 THEN nm.mf[1 + ({_H} >> 13) % cardinality(nm.mf)]
                      ELSE nm.ff[1 + ({_H} >> 13) % cardinality(nm.ff)] END"""
FULL_NAME = f"""CASE WHEN ({_H} >> 5) % 2 = 0
     THEN nm.ml[1 + ({_H} >> 9) % cardinality(nm.ml)] || ' ' || nm.mf[1 + ({_H} >> 13) % cardinality(nm.mf)]
          || ' ' || nm.mp[1 + ({_H} >> 17) % cardinality(nm.mp)]
     ELSE nm.ml[1 + ({_H} >> 9) % cardinality(nm.ml)] || 'а ' || nm.ff[1 + ({_H} >> 13) % cardinality(nm.ff)]
          || ' ' || nm.fp[1 + ({_H} >> 17) % cardinality(nm.fp)] END"""
NAME_ARGS = (
    MALE_LAST,
    MALE_FIRST,
    FEMALE_FIRST,
    [m for m, _ in PATRONYMICS],
    [f for _, f in PATRONYMICS],
)


# --------------------------------------------------------------------------- scenario data


@dataclass
class ContestIds:
    contest_id: int
    title: str
    stage_id: int
    deadline: datetime
    org_ids: list[int]
    org_region_ids: list[int]
    org_coordinator: list[int]
    nomination_ids: list[int]
    field_values: list[str]  # json per nomination (all fields)
    first_field: list[str]  # json per nomination (first field only)
    condition_answers: list[str]
    presentation_slot: list[str]
    video_slot: list[str]
    extra_slot: list[str]


async def reset_database(url: str) -> None:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await upgrade(url)


async def load_contest(url: str) -> ContestIds:
    engine = create_engine(url)
    try:
        services = Services(
            ServiceContext(
                sessionmaker=create_sessionmaker(engine),
                cipher=PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
                clock=FixedClock(LOADED_AT),
                jobs=lambda job, entity_id: None,
            )
        )
        result = await services.contests.load_definition(None, EXAMPLE.read_bytes())
        brief = await services.contests.contest(result.contest_id)
    finally:
        await engine.dispose()
    cid = result.contest_id
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        stage_id = await conn.fetchval(
            "SELECT id FROM stages WHERE contest_id = $1 AND application_deadline IS NOT NULL AND active ORDER BY position LIMIT 1",
            cid,
        )
        coords = await conn.fetch(
            "SELECT telegram_id, region_codes::text FROM role_assignments WHERE contest_id = $1 AND role = 'coordinator'",
            cid,
        )
        coordinator_of = {
            code: r["telegram_id"] for r in coords for code in json.loads(r["region_codes"])
        }
        orgs = await conn.fetch(
            "SELECT o.id, o.region_id, r.code FROM organisations o JOIN regions r ON r.id = o.region_id WHERE r.contest_id = $1 ORDER BY o.id",
            cid,
        )
        noms = await conn.fetch(
            "SELECT id, fields::text, files::text, conditions::text FROM nominations WHERE contest_id = $1 ORDER BY position",
            cid,
        )
    finally:
        await conn.close()
    ids = ContestIds(
        contest_id=cid,
        title=brief.title,
        stage_id=stage_id,
        deadline=brief.application_deadline,
        org_ids=[o["id"] for o in orgs],
        org_region_ids=[o["region_id"] for o in orgs],
        org_coordinator=[coordinator_of.get(o["code"], 0) for o in orgs],
        nomination_ids=[n["id"] for n in noms],
        field_values=[],
        first_field=[],
        condition_answers=[],
        presentation_slot=[],
        video_slot=[],
        extra_slot=[],
    )
    for n in noms:
        fields = json.loads(n["fields"])
        values = {}
        for f in fields:
            kind = f.get("kind", "text")
            values[f["code"]] = (
                "7"
                if kind == "number"
                else "01.09.2015"
                if kind == "date"
                else FIELD_TEXT.get(f["code"], f["title"])
            )
        ids.field_values.append(json.dumps(values, ensure_ascii=False))
        first = fields[0]["code"]
        ids.first_field.append(json.dumps({first: values[first]}, ensure_ascii=False))
        cond = json.loads(n["conditions"]) or {}
        ids.condition_answers.append(
            json.dumps(
                {
                    "birth_date": "1994-05-17"
                    if cond.get("min_age") or cond.get("max_age")
                    else None,
                    "experience_years": 7 if cond.get("min_experience_years") is not None else None,
                    "has_practice": True if cond.get("requires_practice") else None,
                }
            )
        )
        files = json.loads(n["files"])
        docs = [f["code"] for f in files if f["kind"] == "document" and f.get("required", True)]
        videos = [f["code"] for f in files if f["kind"] == "video"]
        optional = [f["code"] for f in files if not f.get("required", True)]
        ids.presentation_slot.append(docs[0] if docs else files[0]["code"])
        ids.video_slot.append(videos[0] if videos else files[-1]["code"])
        ids.extra_slot.append(optional[0] if optional else files[-1]["code"])
    return ids


async def fill(
    url: str, c: ContestIds, total: int, due: int, now: datetime, history: bool
) -> dict[str, Any]:
    """Set-based fill. Participant ``i`` (1..total) is *due* when ``i % step = 0`` and
    ``k = i / step <= due`` (step = total // due): due ones are spread over the whole table,
    as they would be in life. Their kind depends on ``k`` only, so both scenarios get the very
    same due population:

    * k % 10 in 0..2 → ``form`` (by (k/10) % 4: nothing filled / name+СНИЛС only / complete
      draft / rejected), 3..4 → ``nomination``, 5..9 → ``application`` (a draft with a
      nomination, some fields and consents, two file rows);
    * the others: i % 10 = 3 → ``review`` (pending, sent within the last 14 days), else
      ``done`` (accepted, submitted application with a presentation and a video)."""
    step = total // due
    span = int((now - timedelta(days=20) - CREATED_FROM).total_seconds())
    timings: dict[str, float] = {}
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("SET maintenance_work_mem = '512MB'; SET work_mem = '64MB'")

        async def run(label: str, sql: str, *args: Any) -> None:
            t0 = time.perf_counter()
            status = await conn.execute(sql, *args)
            timings[label] = time.perf_counter() - t0
            log(f"  {label}: {status} in {timings[label]:.1f}s")

        await run(
            "persons",
            f"""WITH {NAMES_CTE}
            INSERT INTO persons (id, telegram_id, chat_id, display_name, language, blocked_bot_at, mute_reminders, created_at)
            SELECT i, 5000000000 + i, 5000000000 + i, {FIRST_NAME}, 'ru', NULL, i % 20 = 0,
                   $6::timestamptz + ((i::bigint * 7919) % $7::int) * interval '1 second' - interval '10 minutes'
            FROM generate_series(1, $8::int) AS i, nm""",
            *NAME_ARGS,
            CREATED_FROM,
            span,
            total,
        )
        await run(
            "participants",
            f"""WITH {NAMES_CTE},
            src AS (
                SELECT i, (i % $9::int = 0 AND i / $9::int <= $10::int) AS due, i / $9::int AS k,
                       $6::timestamptz + ((i::bigint * 7919) % $7::int) * interval '1 second' AS created,
                       1 + (i * 31) % cardinality($11::int[]) AS oi
                FROM generate_series(1, $8::int) AS i
            ),
            cls AS (
                SELECT src.*,
                       CASE WHEN due THEN CASE WHEN k % 10 < 3 THEN 'form' WHEN k % 10 < 5 THEN 'nomination' ELSE 'application' END
                            WHEN i % 10 = 3 THEN 'review' ELSE 'done' END AS stage,
                       CASE WHEN due AND k % 10 < 3 THEN (k / 10) % 4 ELSE 4 END AS fv
                FROM src
            )
            INSERT INTO participants (id, contest_id, person_id, full_name, snils_encrypted, snils_hmac, snils_last2,
                region_id, organisation_id, verification_status, stage, rejection_reason, pd_consent_at, submitted_at,
                decided_at, decided_by, withdrawn_at, created_at)
            SELECT i, $14::int, i,
                   CASE WHEN fv >= 1 THEN {FULL_NAME} END,
                   CASE WHEN fv >= 1 THEN convert_to('gAAAAABm' || md5(i::text) || md5((i + 7)::text) || md5((i + 13)::text), 'UTF8') END,
                   CASE WHEN fv >= 1 THEN encode(sha256(convert_to('snils:' || i, 'UTF8')), 'hex') END,
                   CASE WHEN fv >= 1 THEN lpad((i % 100)::text, 2, '0') END,
                   CASE WHEN fv >= 2 THEN ($12::int[])[oi] END,
                   CASE WHEN fv >= 2 THEN ($11::int[])[oi] END,
                   CASE WHEN stage = 'form' THEN CASE WHEN fv = 3 THEN 'rejected' ELSE 'draft' END
                        WHEN stage = 'review' THEN 'pending' ELSE 'accepted' END,
                   stage,
                   CASE WHEN fv = 3 THEN 'Организация не найдена в реестре поставщиков социальных услуг региона' END,
                   created + interval '1 minute',
                   CASE WHEN stage = 'review' THEN $15::timestamptz - ((i::bigint * 104729) % (14 * 86400)) * interval '1 second'
                        WHEN stage = 'form' AND fv < 3 THEN NULL
                        ELSE created + interval '1 hour' END,
                   CASE WHEN stage IN ('nomination', 'application', 'done') OR fv = 3 THEN created + interval '2 days 1 hour' END,
                   CASE WHEN stage IN ('nomination', 'application', 'done') OR fv = 3 THEN ($13::bigint[])[oi] END,
                   NULL,
                   created
            FROM cls, nm""",
            *NAME_ARGS,
            CREATED_FROM,
            span,
            total,
            step,
            due,
            c.org_ids,
            c.org_region_ids,
            c.org_coordinator,
            c.contest_id,
            now,
        )
        await run(
            "applications",
            """WITH src AS (
                SELECT p.id, p.decided_at, p.stage = 'done' AS done, p.id / $1::int AS k,
                       CASE WHEN p.stage = 'done' THEN p.id % 3 ELSE (p.id / $1::int / 10) % 3 END AS ni
                FROM participants p WHERE p.stage IN ('application', 'done')
            )
            INSERT INTO applications (participant_id, nomination_id, stage_id, status, field_values, condition_answers,
                consent_privacy_at, consent_transfer_at, submitted_at, reopened_at, created_at)
            SELECT id, ($2::int[])[1 + ni], $3::int, CASE WHEN done THEN 'submitted' ELSE 'draft' END,
                   CASE WHEN done OR k % 3 = 0 THEN ($4::text[])[1 + ni] WHEN k % 3 = 1 THEN ($5::text[])[1 + ni] ELSE '{}' END::json,
                   ($6::text[])[1 + ni]::json,
                   CASE WHEN done OR (k / 3) % 4 IN (0, 1) THEN decided_at + interval '1 day' END,
                   CASE WHEN done OR (k / 3) % 4 = 0 THEN decided_at + interval '1 day' END,
                   CASE WHEN done THEN decided_at + interval '3 days' END,
                   NULL,
                   decided_at + interval '2 hours'
            FROM src ORDER BY id""",
            step,
            c.nomination_ids,
            c.stage_id,
            c.field_values,
            c.first_field,
            c.condition_answers,
        )
        # two file rows per application: done → presentation + video; draft, by (k/12) % 3 →
        # presentation + extra (video missing) / presentation + video / a replaced presentation
        # and its replacement (video missing)
        await run(
            "application_files",
            """WITH src AS (
                SELECT a.id, a.created_at, a.status = 'submitted' AS done, (a.participant_id / $1::int / 12) % 3 AS fv,
                       array_position($2::int[], a.nomination_id) AS ni
                FROM applications a
            ),
            f AS (
                SELECT src.*, n,
                       CASE WHEN n = 1 OR (NOT done AND fv = 2) THEN 'p'
                            WHEN done OR fv = 1 THEN 'v' ELSE 'x' END AS what
                FROM src CROSS JOIN generate_series(1, 2) AS n
            )
            INSERT INTO application_files (application_id, slot, telegram_file_id, file_unique_id, file_name, mime_type,
                size, sha256, storage_path, download_error, uploaded_at, downloaded_at, replaced_at)
            SELECT id,
                   CASE what WHEN 'p' THEN ($3::text[])[ni] WHEN 'v' THEN ($4::text[])[ni] ELSE ($5::text[])[ni] END,
                   'BQACAgIAAxkBAAI' || upper(md5(id || ':' || n)) || 'AAHkSW' || substr(md5(n || ':' || id), 1, 8),
                   'AgAD' || substr(md5(id || '/' || n), 1, 12),
                   CASE what WHEN 'p' THEN 'Презентация_' || id || '.pdf' WHEN 'v' THEN 'video_' || id || '.mp4' ELSE 'gramota_' || id || '.jpg' END,
                   CASE what WHEN 'p' THEN 'application/pdf' WHEN 'v' THEN 'video/mp4' ELSE 'image/jpeg' END,
                   CASE what WHEN 'v' THEN 8000000 + (id::bigint * 7919) % 12000000 ELSE 300000 + (id::bigint * 104729) % 9000000 END,
                   encode(sha256(convert_to(id || '#' || n, 'UTF8')), 'hex'),
                   'files/' || substr(md5(id || '#' || n), 1, 2) || '/' || md5(id || '#' || n),
                   NULL,
                   created_at + n * interval '1 hour',
                   created_at + n * interval '1 hour' + interval '1 minute',
                   CASE WHEN NOT done AND fv = 2 AND n = 1 THEN created_at + interval '2 hours' END
            FROM f ORDER BY id, n""",
            step,
            c.nomination_ids,
            c.presentation_slot,
            c.video_slot,
            c.extra_slot,
        )
        if history:
            # what the contest already sent: one verification notice per decided participant
            await run(
                "deliveries (history)",
                """INSERT INTO deliveries (reason, subject, recipient_chat_id, due_at, message_key, message_args, keyboard,
                    language, expires_at, muteable, status, attempts, enqueued_at, lease_until, telegram_message_id,
                    sent_at, last_error, created_at)
                SELECT 'verification_status', 'participant:' || p.id, pe.chat_id, p.decided_at,
                       CASE WHEN p.verification_status = 'rejected' THEN 'notify-verification-rejected' ELSE 'notify-verification-accepted' END,
                       json_build_object('contest', $1::text, 'reason', coalesce(p.rejection_reason, '')),
                       json_build_array(json_build_array(json_build_object(
                           'text', CASE WHEN p.verification_status = 'rejected' THEN 'btn-fix-form' ELSE 'btn-choose-nomination' END,
                           'action', CASE WHEN p.verification_status = 'rejected' THEN 'form' ELSE 'nominations' END,
                           'contest_id', $2::int::text))),
                       pe.language, NULL, false, 'sent', 1, p.decided_at, NULL, 100000 + p.id,
                       p.decided_at + interval '2 seconds', NULL, p.decided_at
                FROM participants p JOIN persons pe ON pe.id = p.person_id
                WHERE p.decided_at IS NOT NULL ORDER BY p.decided_at""",
                c.title,
                c.contest_id,
            )
        await conn.execute(
            """SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT max(id) FROM persons));
               SELECT setval(pg_get_serial_sequence('participants', 'id'), (SELECT max(id) FROM participants));"""
        )
        t0 = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("CHECKPOINT")
        timings["vacuum analyze"] = time.perf_counter() - t0
        log(f"  VACUUM ANALYZE + CHECKPOINT in {timings['vacuum analyze']:.1f}s")
        counts = {
            r["stage"]: r["n"]
            for r in await conn.fetch(
                "SELECT stage, count(*) AS n FROM participants GROUP BY stage ORDER BY stage"
            )
        }
        sizes = {
            r["t"]: (r["rows"], r["size"])
            for r in await conn.fetch(
                """SELECT c.relname AS t, c.reltuples::bigint AS rows, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname IN
                   ('persons', 'participants', 'applications', 'application_files', 'deliveries')"""
            )
        }
        history_max = await conn.fetchval("SELECT coalesce(max(id), 0) FROM deliveries")
    finally:
        await conn.close()
    return {
        "timings": timings,
        "stages": counts,
        "sizes": sizes,
        "history_max": history_max,
        "step": step,
    }


# --------------------------------------------------------------------------- profiling


def statement_label(sql: str) -> str:
    s = " ".join(sql.split())
    if s.startswith("INSERT INTO deliveries"):
        return "INSERT deliveries (outbox rows)"
    if s.startswith("INSERT INTO reminder_runs"):
        return "INSERT reminder_runs"
    if s.startswith("UPDATE deliveries"):
        return "UPDATE deliveries (mark enqueued)"
    if "FROM deliveries" in s:
        return "SELECT due deliveries (FOR UPDATE)"
    if "FROM participants JOIN persons" in s:
        return "SELECT participants ⋈ persons (unfinished)"
    if "FROM participants JOIN regions" in s:
        return "SELECT pending by region (backlog/escalation)"
    if "FROM applications" in s:
        return "selectin applications"
    if "FROM application_files" in s:
        return "selectin application_files"
    if "FROM nominations" in s:
        return "selectin nominations"
    if "FROM reminder_runs" in s:
        return "SELECT reminder_runs (done?)"
    if "FROM role_assignments" in s:
        return "SELECT role_assignments"
    if "FROM contests" in s or "FROM stages" in s:
        return "SELECT contests/stages"
    return s[:60]


MATERIALISE_OWN_SQL = {
    "INSERT deliveries (outbox rows)",
    "INSERT reminder_runs",
    "SELECT reminder_runs (done?)",
    "SELECT contests/stages",
}


@dataclass
class Profile:
    sql: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))
    kinds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    phases: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))

    def unaccounted_materialise(self) -> float:
        """materialise_reminders minus the kinds' messages() and the SQL it ran itself: the
        Python that builds and compiles the outbox INSERT … VALUES statements."""
        own_sql = sum(sec for label, (_, sec) in self.sql.items() if label in MATERIALISE_OWN_SQL)
        return self.phases["materialise_reminders"][1] - sum(self.kinds.values()) - own_sql

    def lines(self) -> list[str]:
        out = [
            f"    phase {name}: {int(n)}× {sec * 1000:.0f} ms"
            for name, (n, sec) in self.phases.items()
        ]
        if "materialise_reminders" in self.phases:
            out.append(
                f"    ↳ materialise_reminders outside messages() and outside its SQL (building the INSERT … VALUES "
                f"statements in SQLAlchemy): {self.unaccounted_materialise() * 1000:.0f} ms"
            )
        out += [
            f"    kind {name}: messages() {sec * 1000:.0f} ms"
            for name, sec in sorted(self.kinds.items())
        ]
        for label, (n, sec) in sorted(self.sql.items(), key=lambda kv: -kv[1][1]):
            out.append(f"    sql  {label}: {int(n)}× {sec * 1000:.0f} ms")
        return out


class Profiler:
    """Statement time (execute + fetch, through asyncpg) by statement kind, and the time of
    each reminder kind's ``messages`` (query + ORM + building the messages)."""

    def __init__(self) -> None:
        self.current: Profile | None = None

    def attach(self, engine: Any) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            conn.info.setdefault("bench_t0", []).append(time.perf_counter())

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            t0 = conn.info["bench_t0"].pop()
            if self.current is not None:
                entry = self.current.sql[statement_label(statement)]
                entry[0] += 1
                entry[1] += time.perf_counter() - t0

    def wrap_kinds(self) -> None:
        for kind in REGISTRY:
            if getattr(kind, "_bench_wrapped", False):
                continue
            original = type(kind).messages

            async def timed(s, run, now, _kind=kind, _original=original):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return await _original(_kind, s, run, now)
                finally:
                    if self.current is not None:
                        self.current.kinds[_kind.reason(run)] += time.perf_counter() - t0

            kind.messages = timed  # type: ignore[method-assign]
            kind._bench_wrapped = True  # type: ignore[attr-defined]

    def wrap_phases(self) -> None:
        """Time the sweep's two phases: ``sweep()`` looks them up in its module at call time,
        so wrapping the module attributes (in this process only) is enough."""
        for name in ("materialise_reminders", "due_delivery_ids"):
            original = getattr(sweep_module, name)
            if getattr(original, "_bench_wrapped", False):
                continue

            async def timed(*args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return await _original(*args, **kwargs)
                finally:
                    if self.current is not None:
                        entry = self.current.phases[_name]
                        entry[0] += 1
                        entry[1] += time.perf_counter() - t0

            timed._bench_wrapped = True  # type: ignore[attr-defined]
            setattr(sweep_module, name, timed)


# --------------------------------------------------------------------------- the benchmark


@dataclass
class SweepRun:
    seconds: float
    created: int
    enqueued: int
    runs: int
    by_kind: dict[str, int]
    profile: Profile
    second_seconds: float
    second_created: int
    second_enqueued: int


async def timed_sweep(
    sm: Any, now: datetime, profiler: Profiler
) -> tuple[float, Any, int, Profile]:
    calls = 0

    def enqueue(job: str, entity_id: int) -> None:
        nonlocal calls
        calls += 1

    profiler.current = Profile()
    t0 = time.perf_counter()
    report = await sweep_module.sweep(sm, now, enqueue)
    elapsed = time.perf_counter() - t0
    profile, profiler.current = profiler.current, None
    return elapsed, report, calls, profile


async def reset_sweep_state(url: str, history_max: int) -> None:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("DELETE FROM deliveries WHERE id > $1", history_max)
        await conn.execute("DELETE FROM reminder_runs")
        await conn.execute("VACUUM ANALYZE deliveries")
        await conn.execute("VACUUM ANALYZE reminder_runs")
    finally:
        await conn.close()


async def bench_scenario(
    url: str, now: datetime, history_max: int, repeats: int, profiler: Profiler
) -> list[SweepRun]:
    engine = create_engine(url)
    profiler.attach(engine)
    sm = create_sessionmaker(engine)
    runs: list[SweepRun] = []
    try:
        async with engine.connect() as conn:  # open the pool's connection before timing
            await conn.exec_driver_sql("SELECT 1")
        for i in range(repeats):
            if i:
                await reset_sweep_state(url, history_max)
            seconds, report, calls, profile = await timed_sweep(sm, now, profiler)
            second, report2, calls2, _ = await timed_sweep(sm, now, profiler)
            run = SweepRun(
                seconds,
                report.created,
                calls,
                report.runs,
                dict(report.by_kind),
                profile,
                second,
                report2.created,
                calls2,
            )
            runs.append(run)
            log(
                f"  run {i + 1}: first sweep {seconds:.3f}s (runs {report.runs}, created {report.created}, "
                f"enqueued {calls}, by kind {report.by_kind}); second sweep {second * 1000:.1f} ms "
                f"(created {report2.created}, enqueued {calls2})"
            )
            for line in profile.lines():
                print(line)
    finally:
        await engine.dispose()
    return runs


def deadline_query(contest_id: int) -> Any:
    """The SELECT of ``ApplicationDeadlineReminder.messages`` (without its selectin loads)."""
    return (
        select(Participant, Person)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.contest_id == contest_id, Participant.stage.in_(rules.UNFINISHED_STAGES))
    )


def due_query(
    now: datetime, requeue_after: timedelta = REQUEUE_AFTER, batch: int = sweep_module.BATCH
) -> Any:
    """The SELECT of ``notifications.sweep.due_delivery_ids``, verbatim."""
    stale = now - requeue_after
    return (
        select(Delivery.id)
        .where(
            or_(
                and_(
                    Delivery.status == "pending",
                    Delivery.due_at <= now,
                    or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at < stale),
                ),
                and_(
                    Delivery.status == "sending",
                    Delivery.lease_until < now,
                    or_(
                        Delivery.enqueued_at.is_(None),
                        Delivery.enqueued_at < Delivery.lease_until,
                        Delivery.enqueued_at < stale,
                    ),
                ),
            )
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )


def literal_sql(stmt: Any) -> str:
    return str(
        stmt.compile(dialect=postgresql.asyncpg.dialect(), compile_kwargs={"literal_binds": True})
    )


def sql_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


LONG_ARRAY = re.compile(r"'\{((?:\d+,){8})((?:\d+,)+\d+)\}'")


def _shorten(match: re.Match[str]) -> str:
    return (
        f"'{{{match.group(1)}… {match.group(1).count(',') + match.group(2).count(',') + 1} ids}}'"
    )


async def explain(conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    """The plan as text; long id lists (selectin batches) are shortened for reading."""
    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
    return LONG_ARRAY.sub(_shorten, "\n".join(r[0] for r in rows))


async def plans(url: str, c: ContestIds, now: datetime, history_max: int) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the deadline reminder's queries and of the due query,
    in the state right after the reminders were written (before they were handed over)."""
    out: dict[str, str] = {}
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        out["participants ⋈ persons (ApplicationDeadlineReminder.messages)"] = await explain(
            conn, literal_sql(deadline_query(c.contest_id))
        )
        due_ids = [
            r[0]
            for r in await conn.fetch(
                "SELECT id FROM participants WHERE contest_id = $1 AND stage = ANY($2::text[]) ORDER BY id LIMIT 500",
                c.contest_id,
                [str(s) for s in rules.UNFINISHED_STAGES],
            )
        ]
        out["selectin applications (one batch of 500 participant ids)"] = await explain(
            conn, literal_sql(select(Application).where(Application.participant_id.in_(due_ids)))
        )
        app_ids = [
            r[0]
            for r in await conn.fetch(
                "SELECT a.id FROM applications a JOIN participants p ON p.id = a.participant_id "
                "WHERE p.contest_id = $1 AND p.stage = 'application' ORDER BY a.id LIMIT 500",
                c.contest_id,
            )
        ]
        out["selectin application_files (one batch of 500 application ids)"] = await explain(
            conn,
            literal_sql(
                select(ApplicationFile)
                .where(ApplicationFile.application_id.in_(app_ids))
                .order_by(ApplicationFile.id)
            ),
        )
        # back to "just materialised": the sweep's own rows, not yet handed to the queue
        await conn.execute("UPDATE deliveries SET enqueued_at = NULL WHERE id > $1", history_max)
        await conn.execute("VACUUM ANALYZE deliveries")
        async with (
            conn.transaction()
        ):  # EXPLAIN ANALYZE of FOR UPDATE takes row locks, until commit
            out["due deliveries (due_delivery_ids), custom plan, 10k just written"] = await explain(
                conn, literal_sql(due_query(now))
            )
        # the plan a long-lived pooled connection ends up with: asyncpg prepares statements,
        # and after five runs PostgreSQL may switch to a generic plan
        compiled = due_query(now).compile(
            dialect=postgresql.asyncpg.dialect(), compile_kwargs={"render_postcompile": True}
        )
        values = ", ".join(sql_literal(compiled.params[name]) for name in compiled.positiontup)
        async with conn.transaction():
            await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            await conn.execute(f"PREPARE bench_due AS {compiled.string}")
            out[
                "due deliveries (due_delivery_ids), generic plan (prepared, plan_cache_mode=force_generic_plan)"
            ] = await explain(conn, f"EXECUTE bench_due({values})")
            await conn.execute("DEALLOCATE bench_due")
        # the steady state the sweep sees every minute: everything handed over already
        await conn.execute("UPDATE deliveries SET enqueued_at = $2 WHERE id > $1", history_max, now)
        await conn.execute("VACUUM ANALYZE deliveries")
        async with conn.transaction():
            out["due deliveries (due_delivery_ids), steady state: nothing due"] = await explain(
                conn, literal_sql(due_query(now))
            )
    finally:
        await conn.close()
    return out


async def breakdown(url: str, contest_id: int, now: datetime) -> dict[str, float]:
    """Where ApplicationDeadlineReminder.messages spends its time (read-only, outside the
    timed sweeps): the participants query alone, with its selectin loads (rows → ORM
    objects), and the whole of messages() (the rest is building the messages)."""
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    out: dict[str, float] = {}
    kind = ApplicationDeadlineReminder()
    try:
        async with sm() as s:
            contests = (
                (await s.execute(select(Contest).options(selectinload(Contest.stages))))
                .scalars()
                .all()
            )
            (run,) = await kind.runs(s, now, contests)
        best: dict[str, float] = defaultdict(lambda: float("inf"))
        for _ in range(3):  # the best of three passes (warm caches, like the sweeps)
            async with sm() as s:
                t0 = time.perf_counter()
                rows = (await s.execute(deadline_query(contest_id))).all()
                best["query participants ⋈ persons → ORM"] = min(
                    best["query participants ⋈ persons → ORM"], time.perf_counter() - t0
                )
            async with sm() as s:
                t0 = time.perf_counter()
                rows = (
                    await s.execute(
                        deadline_query(contest_id).options(
                            selectinload(Participant.application).selectinload(
                                Application.nomination
                            ),
                            selectinload(Participant.application).selectinload(Application.files),
                        )
                    )
                ).all()
                best["query + selectin loads → ORM"] = min(
                    best["query + selectin loads → ORM"], time.perf_counter() - t0
                )
            async with sm() as s:
                t0 = time.perf_counter()
                messages = await type(kind).messages(kind, s, run, now)
                best["messages() total"] = min(best["messages() total"], time.perf_counter() - t0)
        out.update(best)
        out["building messages (gaps, Fluent, views)"] = (
            out["messages() total"] - out["query + selectin loads → ORM"]
        )
        out["rows"] = len(rows)
        out["messages"] = len(messages)
    finally:
        await engine.dispose()
    return out


# --------------------------------------------------------------------------- alternatives


async def alternatives(url: str, contest_id: int, now: datetime) -> dict[str, Any]:
    """Current code vs a proposed change, for the three costs the profile points at (BIG data;
    every write is rolled back). Best of two passes each."""
    from sqlalchemy import func
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    from models.tables import Region

    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    out: dict[str, Any] = {}
    kind = ApplicationDeadlineReminder()
    conflict = ["reason", "subject", "recipient_chat_id", "due_at"]
    try:
        async with sm() as s:
            contests = (
                (await s.execute(select(Contest).options(selectinload(Contest.stages))))
                .scalars()
                .all()
            )
            (run,) = await kind.runs(s, now, contests)
            messages = await type(kind).messages(kind, s, run, now)
        reason = "bench-alternative"  # never collides with the sweep's rows
        rows = [
            dict(
                reason=reason,
                subject=m.subject,
                recipient_chat_id=m.chat_id,
                due_at=run.due_at,
                expires_at=run.expires_at,
                muteable=kind.muteable,
                message_key=m.key,
                message_args=m.args,
                keyboard=m.keyboard,
                language=m.language,
                status="pending",
                attempts=0,
                created_at=now,
            )
            for m in messages
        ]
        best: dict[str, float] = defaultdict(lambda: float("inf"))
        for _ in range(2):
            async with sm() as s, s.begin():  # as notifications/sweep.py does it today
                t0 = time.perf_counter()
                created = 0
                for start in range(0, len(rows), 1000):
                    stmt = (
                        pg_insert(Delivery)
                        .values(rows[start : start + 1000])
                        .on_conflict_do_nothing(index_elements=conflict)
                    )
                    created += (await s.execute(stmt)).rowcount or 0
                best["insert_current"] = min(best["insert_current"], time.perf_counter() - t0)
                await s.rollback()
            async with (
                sm() as s,
                s.begin(),
            ):  # proposed: one cached statement, executemany ("insertmanyvalues")
                t0 = time.perf_counter()
                stmt = (
                    pg_insert(Delivery.__table__)
                    .on_conflict_do_nothing(index_elements=conflict)
                    .returning(Delivery.__table__.c.id)
                )
                created2 = len((await s.execute(stmt, rows)).all())
                best["insert_proposed"] = min(best["insert_proposed"], time.perf_counter() - t0)
                await s.rollback()
        out["insert_rows"] = len(rows)
        out["insert_created"] = (created, created2)

        older = now - rules.VERIFICATION_REMIND_AFTER
        where = (
            Participant.contest_id == contest_id,
            Participant.verification_status == rules.VerificationStatus.PENDING,
            Participant.submitted_at <= older,
        )
        for _ in range(2):
            async with sm() as s:
                t0 = time.perf_counter()
                fetched = (
                    await s.execute(
                        select(Region.code, Region.name, Participant.submitted_at)
                        .join(Region, Region.id == Participant.region_id)
                        .where(*where)
                    )
                ).all()
                counted: dict[str, int] = defaultdict(int)
                for code, _name, _at in fetched:
                    counted[code] += 1
                best["overdue_current"] = min(best["overdue_current"], time.perf_counter() - t0)
                t0 = time.perf_counter()
                grouped = (
                    await s.execute(
                        select(
                            Region.code,
                            Region.name,
                            func.count(),
                            func.min(Participant.submitted_at),
                        )
                        .join(Region, Region.id == Participant.region_id)
                        .where(*where)
                        .group_by(Region.code, Region.name)
                    )
                ).all()
                best["overdue_proposed"] = min(best["overdue_proposed"], time.perf_counter() - t0)
        out["overdue_rows"] = len(fetched)
        out["overdue_same"] = dict(counted) == {code: n for code, _name, n, _at in grouped}
        out.update(best)
    finally:
        await engine.dispose()

    conn = await asyncpg.connect(pg_dsn(url))
    try:
        sql = literal_sql(deadline_query(contest_id))
        for key, setting in (
            ("default", None),
            ("random_page_cost=1.1", "SET random_page_cost = 1.1"),
        ):
            if setting:
                await conn.execute(setting)
            plan = await explain(conn, sql)
            out[f"plan {key}"] = plan
            out[f"plan {key} ms"] = float(plan.rsplit("Execution Time:", 1)[1].split("ms")[0])
        await conn.execute("RESET random_page_cost")
    finally:
        await conn.close()
    return out


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    info = {"nproc": str(os.cpu_count())}
    try:
        info["nproc"] = subprocess.run(
            ["nproc"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except Exception:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["python"] = platform.python_version()
    return info


async def server_info(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        out = {"version": (await conn.fetchval("SHOW server_version"))}
        for name in (
            "shared_buffers",
            "work_mem",
            "random_page_cost",
            "effective_cache_size",
            "fsync",
            "synchronous_commit",
        ):
            out[name] = await conn.fetchval(f"SHOW {name}")
        return out
    finally:
        await conn.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_results(path: Path, ctx: dict[str, Any]) -> None:
    big, small = ctx["big"], ctx["small"]
    lines = [
        "# Sweep benchmark results",
        "",
        f"Generated by `bench/sweep_bench.py` on {ctx['when']}.",
        "",
        "Command:",
        "",
        "```",
        ctx["command"],
        "```",
        "",
        f"Machine: nproc = {ctx['machine'].get('nproc')}, RAM = {ctx['machine'].get('ram')}, CPU = {ctx['machine'].get('cpu', '?')}, "
        f"Python {ctx['machine'].get('python')}; PostgreSQL {ctx['server']['version']} on the same box "
        f"(shared_buffers {ctx['server']['shared_buffers']}, work_mem {ctx['server']['work_mem']}, "
        f"random_page_cost {ctx['server']['random_page_cost']}, effective_cache_size {ctx['server']['effective_cache_size']}, "
        f"fsync {ctx['server']['fsync']}, synchronous_commit {ctx['server']['synchronous_commit']}).",
        "",
        f"`now` = application deadline − 7 days + 1 minute = {ctx['now'].astimezone(MSK):%Y-%m-%d %H:%M:%S} МСК "
        f"(deadline {ctx['deadline'].astimezone(MSK):%Y-%m-%d %H:%M:%S} МСК). The sweep is the real "
        "`notifications.sweep.sweep` with every registered reminder kind; `enqueue` is a no-op counter.",
        "",
        "| scenario | participants | due (unfinished) | fill | first sweep, median (runs) | reminders created | ids enqueued | second sweep (nothing due), median |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name, sc in (("BIG", big), ("SMALL", small)):
        runs = sc["runs"]
        lines.append(
            f"| {name} | {sc['total']:,} | {sc['due']:,} | {sum(sc['fill']['timings'].values()):.0f} s "
            f"| **{median([r.seconds for r in runs]):.3f} s** ({', '.join(f'{r.seconds:.3f}' for r in runs)}) "
            f"| {runs[0].created:,} | {runs[0].enqueued:,} | {median([r.second_seconds for r in runs]) * 1000:.1f} ms |"
        )
    ratio = ctx["ratio"]
    lines += [
        "",
        f"**Ratio BIG / SMALL (first-sweep medians) = {ratio:.2f}** — goal ≤ 2: **{'met' if ratio <= 2 else 'NOT met'}**.",
        "",
        "Reminders created, by kind (first run): "
        + "; ".join(
            f"{name}: {sc['runs'][0].by_kind}" for name, sc in (("BIG", big), ("SMALL", small))
        ),
        "",
        "## Data",
        "",
    ]
    for name, sc in (("BIG", big), ("SMALL", small)):
        lines.append(
            f"* {name}: stages {sc['fill']['stages']}; tables "
            + ", ".join(
                f"{t} {rows:,} rows / {size}"
                for t, (rows, size) in sorted(sc["fill"]["sizes"].items())
            )
            + f"; fill {', '.join(f'{k} {v:.1f}s' for k, v in sc['fill']['timings'].items())}."
        )
    lines += [
        "",
        "Due participants are every `total/due`-th row (spread over the whole table); both due populations are built from "
        "the same `k = 1..due` (30 % form — nothing / name+СНИЛС / complete draft / rejected; 20 % nomination; 50 % application "
        "drafts with a nomination, some fields and consents and two `application_files` rows). The rest: 10 % `review` "
        "(pending, sent within the last 14 days), 90 % `done` (submitted application, presentation + video). "
        "Deliveries hold one sent verification notice per decided participant (history). After filling: `VACUUM ANALYZE`.",
        "",
        "## Where the time goes (median run)",
        "",
        "Statement times are execute + fetch through asyncpg; `messages()` is a reminder kind's whole call "
        "(query, ORM objects, building the messages).",
        "",
    ]
    for name, sc in (("BIG", big), ("SMALL", small)):
        lines += [f"{name}:", "", "```", *median_run(sc).profile.lines(), "```", ""]
    lines += [
        "Deadline reminder alone (read-only, outside the timed sweeps, best of three):",
        "",
        "| step | BIG | SMALL |",
        "|---|---:|---:|",
    ]
    for key in big["breakdown"]:
        b, s = big["breakdown"][key], small["breakdown"][key]
        if key in ("rows", "messages"):
            lines.append(f"| {key} | {int(b):,} | {int(s):,} |")
        else:
            lines.append(f"| {key} | {b * 1000:.0f} ms | {s * 1000:.0f} ms |")
    lines += ["", "## Query plans (BIG)", ""]
    for title, plan in ctx["plans"].items():
        lines += [f"### {title}", "", "```", plan, "```", ""]
    lines += ["## Index use (BIG)", ""]
    for line in ctx["index_use"]:
        lines.append(f"* {line}")
    lines += ["", "## Findings", "", *findings(ctx)]
    alt = ctx.get("alternatives")
    if alt:
        lines += [
            "",
            "### participants ⋈ persons with `SET random_page_cost = 1.1` (BIG)",
            "",
            "```",
            alt["plan random_page_cost=1.1"],
            "```",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def median_run(sc: dict[str, Any]) -> SweepRun:
    runs = sorted(sc["runs"], key=lambda r: r.seconds)
    return runs[len(runs) // 2]


def findings(ctx: dict[str, Any]) -> list[str]:
    """What the figures say, in words (Markdown bullets)."""
    big, small, alt = (
        median_run(ctx["big"]),
        median_run(ctx["small"]),
        ctx.get("alternatives") or {},
    )
    ms = lambda sec: f"{sec * 1000:,.0f} ms"  # noqa: E731

    def sql(run: SweepRun, label: str) -> float:
        return run.profile.sql.get(label, [0, 0.0])[1]

    def backlog(run: SweepRun) -> float:
        return sum(
            sec for name, sec in run.profile.kinds.items() if name.startswith("verification_")
        )

    deadline = "app_deadline:7d"
    out = [
        f"* **Ratio {ctx['ratio']:.2f}** (BIG {ms(big.seconds)} / SMALL {ms(small.seconds)}, median runs): the goal ≤ 2 is "
        f"{'met' if ctx['ratio'] <= 2 else 'NOT met'}. Both sweeps write the same {small.created:,} reminders; the cost is "
        "dominated by per-due-row work, so it grows with what is due, not with the contest.",
        f"* Per-due-row costs (SMALL median run, {ms(small.seconds)} in all): building the outbox `INSERT … VALUES` statements "
        f"in SQLAlchemy {ms(small.profile.unaccounted_materialise())} (Python, outside the database: 13 bind parameters × "
        f"1 000 rows compiled afresh per chunk), the deadline kind's `messages()` {ms(small.profile.kinds.get(deadline, 0))} "
        f"(query, selectin loads and ORM objects, then gaps, views and Fluent texts), the INSERT statements in the database "
        f"{ms(sql(small, 'INSERT deliveries (outbox rows)'))}, handing over (SELECT … FOR UPDATE + UPDATE, {ms(sql(small, 'SELECT due deliveries (FOR UPDATE)') + sql(small, 'UPDATE deliveries (mark enqueued)'))}).",
    ]
    grows = (backlog(big) - backlog(small)) + (
        sql(big, "SELECT participants ⋈ persons (unfinished)")
        - sql(small, "SELECT participants ⋈ persons (unfinished)")
    )
    spread = max(
        max(r.seconds for r in sc["runs"]) - min(r.seconds for r in sc["runs"])
        for sc in (ctx["big"], ctx["small"])
    )
    out.append(
        f"* Costs that grow with the contest, not with what is due (BIG vs SMALL, ≈ {ms(grows)} together — compare the "
        f"run-to-run spread of up to {ms(spread)}): the coordinator kinds (`verification_backlog`, `verification_escalation`) "
        f"{ms(backlog(big))} vs {ms(backlog(small))} — `_overdue_by_region` fetches every pending request older than 3 / 5 days "
        f"({alt.get('overdue_rows', 0):,} rows for the 3-day one) to count them in Python, for {big.by_kind.get('verification_backlog', 0)} + "
        f"{big.by_kind.get('verification_escalation', 0)} messages; and `participants ⋈ persons` {ms(sql(big, 'SELECT participants ⋈ persons (unfinished)'))} "
        f"vs {ms(sql(small, 'SELECT participants ⋈ persons (unfinished)'))}"
        + (
            f": the planner hashes the {ctx['big']['due']:,} due participants and seq-scans all of `persons` (see the plan)"
            if "Seq Scan on persons" in next(iter((ctx.get("plans") or {"": ""}).values()))
            else ""
        )
        + "."
    )
    if alt:
        out += [
            "",
            "Measured alternatives (BIG data, rolled back; no code outside `bench/` was changed):",
            "",
            "| cost | current code | proposed | change |",
            "|---|---:|---:|---|",
            f"| outbox INSERT of {alt['insert_rows']:,} reminders | {ms(alt['insert_current'])} | {ms(alt['insert_proposed'])} | "
            "`notifications/sweep.py`: one `insert(Delivery.__table__).on_conflict_do_nothing(...).returning(Delivery.id)` executed "
            "with the list of row dicts (SQLAlchemy's cached *insertmanyvalues* batching) instead of `.values(<1000 dicts>)` per "
            "chunk; `created = len(result.all())` |",
            f"| pending requests by region ({alt['overdue_rows']:,} rows) | {ms(alt['overdue_current'])} | {ms(alt['overdue_proposed'])} | "
            "`notifications/reminders.py::_overdue_by_region`: `select(Region.code, Region.name, func.count(), "
            f"func.min(Participant.submitted_at)) … .group_by(Region.code, Region.name)` (2 rows; same counts: {alt['overdue_same']}) |",
            f"| participants ⋈ persons (EXPLAIN ANALYZE) | {alt['plan default ms']:.0f} ms (hash join, seq scan of persons) | "
            f"{alt['plan random_page_cost=1.1 ms']:.0f} ms (nested loop on `pk_persons`) | `random_page_cost = 1.1` on SSD storage "
            "(a server setting), or load persons by id (`selectinload(Participant.person)`) instead of joining |",
        ]
    return out


SCAN = re.compile(
    r"((?:Parallel )?(?:Bitmap Heap|Bitmap Index|Index Only|Index|Seq) Scan(?: using \S+)? on \S+)"
)


def index_use(plans_: dict[str, str]) -> list[str]:
    out = []
    for title, plan in plans_.items():
        used = [
            ix
            for ix in (
                "ix_participants_stage",
                "uq_applications_participant_id",
                "ix_application_files_application_id",
                "ix_deliveries_due",
                "ix_deliveries_lease",
                "pk_persons",
            )
            if ix in plan
        ]
        scans = list(dict.fromkeys(m.group(1) for m in SCAN.finditer(plan)))
        out.append(
            f"{title}: indexes used: {', '.join(used) or 'none'}; scans: {'; '.join(scans) or '-'}"
        )
    return out


# --------------------------------------------------------------------------- main


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="no sent deliveries in the outbox before the sweep",
    )
    parser.add_argument(
        "--results",
        default=str(HERE / "RESULTS.md"),
        help="where to write the Markdown report ('' for none)",
    )
    args = parser.parse_args()
    if not args.url.startswith("postgresql+asyncpg://"):
        parser.error("--url must be a postgresql+asyncpg:// URL")
    if args.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] == "contest_test":
        parser.error("refusing to use contest_test: that is the test-suite's database")
    if not (0 < args.due <= args.small <= args.big):
        parser.error("need 0 < due <= small <= big")

    started = time.perf_counter()
    t(
        "remind-deadline", "ru", contest="x", deadline="x", missing="x"
    )  # the Fluent bundle, once, before any timing
    profiler = Profiler()
    profiler.wrap_kinds()
    profiler.wrap_phases()
    results: dict[str, Any] = {}
    ids: ContestIds | None = None
    now = None
    # SMALL first, BIG last: the BIG database is left in place for inspection
    for name, total in (("small", args.small), ("big", args.big)):
        log(f"{name.upper()}: {total:,} participants, {args.due:,} due — migrating {args.url}")
        await reset_database(args.url)
        ids = await load_contest(args.url)
        if ids.deadline != EXPECTED_DEADLINE:
            log(f"  note: application deadline is {ids.deadline}, expected {EXPECTED_DEADLINE}")
        now = ids.deadline - timedelta(days=7) + timedelta(minutes=1)
        log(f"  contest {ids.contest_id} loaded; filling")
        filled = await fill(args.url, ids, total, args.due, now, history=not args.no_history)
        log(f"  stages: {filled['stages']}")
        runs = await bench_scenario(args.url, now, filled["history_max"], args.repeats, profiler)
        results[name] = {"total": total, "due": args.due, "fill": filled, "runs": runs}
        results[name]["breakdown"] = await breakdown(args.url, ids.contest_id, now)
        log(
            "  deadline reminder alone: "
            + ", ".join(
                f"{k} {v * 1000:.0f} ms" if k not in ("rows", "messages") else f"{k} {int(v)}"
                for k, v in results[name]["breakdown"].items()
            )
        )
        if name == "big":
            results["plans"] = await plans(args.url, ids, now, filled["history_max"])
            log("  alternatives (current code vs proposed change, rolled back)")
            results["alternatives"] = await alternatives(args.url, ids.contest_id, now)
            alt = results["alternatives"]
            log(
                f"  outbox INSERT of {alt['insert_rows']:,} rows: current {alt['insert_current']:.3f}s, proposed {alt['insert_proposed']:.3f}s; "
                f"pending-by-region ({alt['overdue_rows']:,} rows): current {alt['overdue_current']:.3f}s, GROUP BY {alt['overdue_proposed']:.3f}s; "
                f"participants ⋈ persons: default {alt['plan default ms']:.0f} ms, random_page_cost=1.1 {alt['plan random_page_cost=1.1 ms']:.0f} ms"
            )

    big_med = median([r.seconds for r in results["big"]["runs"]])
    small_med = median([r.seconds for r in results["small"]["runs"]])
    ratio = big_med / small_med
    print()
    print("=" * 100)
    for name in ("big", "small"):
        sc = results[name]
        r = sc["runs"]
        print(
            f"{name.upper():5} {sc['total']:>9,} participants, {sc['due']:,} due: first sweep median "
            f"{median([x.seconds for x in r]):.3f}s over {[round(x.seconds, 3) for x in r]}; created {r[0].created:,}; "
            f"enqueued {r[0].enqueued:,}; second sweep median {median([x.second_seconds for x in r]) * 1000:.1f} ms"
        )
    print(f"RATIO BIG/SMALL = {ratio:.2f} → goal ≤ 2 {'MET' if ratio <= 2 else 'NOT MET'}")
    print()
    for title, plan in results["plans"].items():
        print(f"--- EXPLAIN (ANALYZE, BUFFERS): {title}")
        print(plan)
        print()
    uses = index_use(results["plans"])
    for line in uses:
        print("* " + line)
    total_time = time.perf_counter() - started
    print()
    for line in findings(
        {
            "big": results["big"],
            "small": results["small"],
            "ratio": ratio,
            "alternatives": results.get("alternatives"),
            "plans": results["plans"],
        }
    ):
        print(line)
    print(f"\nwhole benchmark: {total_time:.0f}s")

    if args.results:
        argv = " ".join(sys.argv[1:])
        ctx = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": f".venv/bin/python bench/sweep_bench.py {argv}".strip()
            + f"   # whole run {total_time:.0f} s",
            "machine": machine(),
            "server": await server_info(args.url),
            "now": now,
            "deadline": ids.deadline if ids else EXPECTED_DEADLINE,
            "big": results["big"],
            "small": results["small"],
            "ratio": ratio,
            "plans": results["plans"],
            "index_use": uses,
            "alternatives": results.get("alternatives"),
        }
        write_results(Path(args.results), ctx)
        log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
