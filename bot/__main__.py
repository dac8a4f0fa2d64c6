"""``python -m bot`` — run the bot (long polling, or a webhook server when WEBHOOK_URL is set) and its admin commands.

python -m bot                      run the bot
python -m bot migrate              apply database migrations
python -m bot load-contest FILE    load or re-load a contest definition (YAML)
python -m bot load-scheme FILE --contest CODE
                                   load or re-load a marking scheme (YAML or XLSX)
python -m bot verify-protocol FILE.pdf
                                   does this exact file match a signed protocol?
python -m bot generate-key         print a new PD_ENCRYPTION_KEY
python -m bot contest-schema       print (or --write) the contest file's JSON Schema
python -m bot retention            run the retention purge now (R-PD-3)
python -m bot export-person ID [--output FILE]
                                   everything held about one person, as JSON
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import timedelta
from pathlib import Path

import dramatiq
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import ValidationError

from bot.handlers.admin import loaded_text
from bot.polling import PollerBusy, poller_lock, run_polling
from bot.webapp.server import start_webapp_server
from bot.webhook import check_settings, serve
from models import logsafe
from models.clock import ClockMisconfigured, clock_from_settings
from models.contest_file import DefinitionInvalid, json_schema
from models.crypto import PersonalDataCipher
from models.migrate import upgrade, upgrade_sync
from models.rules import format_local
from models.scheme_xlsx import parse_scheme_file
from models.settings import Settings
from notifications.definition_errors import render_definition_errors
from notifications.i18n import has, t
from notifications.rehearsal import check_clock, resolve_clock
from notifications.sweep import sweep
from notifications.wiring import opened
from ops.logs import apply_format

log = logging.getLogger("bot")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for err in exc.errors():
            # a validator's own error type with a catalogue text (cli-setting-webapp-bad-url)
            own = "cli-setting-" + err["type"].replace("_", "-")
            print(
                t(
                    "cli-setting-error",
                    name=".".join(map(str, err["loc"])) or "—",
                    error=t(own) if has(own) else err["msg"],
                ),
                file=sys.stderr,
            )
        raise SystemExit(2) from None


async def _run(settings: Settings) -> None:
    # imported here: these read the settings when imported (the queue's broker,
    # workers.broker), so they load only after ``_settings`` has checked them, and the admin
    # commands never build a broker
    from bot.app import COMMANDS, build_runtime
    from bot.health import start_health_server
    from workers.actors import broker, retention
    from workers.actors import sweep as sweep_actor
    from workers.scheduler import add_retention_job, add_sweep_job

    if settings.webhook_url:
        check_settings(settings)  # refuses (in Russian) before anything is started
    rt = build_runtime(settings)
    lock = None
    if not settings.webhook_url:
        # issue #13, item 5: one poller per token — a second process refuses to start
        lock = poller_lock(settings, rt.engine)
        try:
            await lock.acquire()
        except PollerBusy:
            await rt.bot.session.close()
            await rt.engine.dispose()
            raise
    if not settings.is_postgres:
        await upgrade(settings.effective_database_url, rt.engine)
    if (key_file := settings.key_beside_database()) is not None:  # issue #15
        log.warning(
            "the personal-data key %s lies next to the database in DATA_DIR: a copy of the directory "
            "holds both; in production set PD_ENCRYPTION_KEY (python -m bot generate-key) and keep it elsewhere",
            key_file,
        )
    health = await start_health_server(settings.metrics_port, rt.engine, settings.redis_url, broker)
    # issue #16: the Mini App's own server in polling mode (webhook mode: beside the webhook)
    webapp = None if settings.webhook_url else await start_webapp_server(settings, rt.services)
    worker = None
    if settings.embedded and settings.embedded_worker:
        worker = dramatiq.Worker(broker, worker_threads=settings.worker_threads)
        worker.start()
        log.info("embedded worker started (%d threads)", settings.worker_threads)
    scheduler = None
    if settings.embedded and settings.embedded_worker:
        # Embedded mode: the minute sweep runs in-process, through the in-process queue.
        scheduler = AsyncIOScheduler(timezone="UTC")
        add_sweep_job(scheduler, rt.services.ctx.clock)  # a rehearsal clock: on its own minutes
        add_retention_job(scheduler)  # R-PD-3: daily, and once now (idempotent)
        scheduler.start()
        sweep_actor.send()
        retention.send()
    try:
        if not settings.webhook_url:  # polling: Telegram must stop posting to a webhook
            await rt.bot.delete_webhook(drop_pending_updates=False)
        await rt.bot.set_my_commands(COMMANDS)
        if settings.webhook_url:
            await serve(rt.bot, rt.dispatcher, settings)
        else:
            log.info("polling as %s mode", "embedded" if settings.embedded else "redis")
            # our own loop, not Dispatcher.start_polling: an update is recorded in the inbox
            # before Telegram is told it arrived (issue #13, item 1; bot/polling.py)
            await run_polling(rt.bot, rt.dispatcher, settings, lock)
            if getattr(
                lock, "lost", False
            ):  # another poller took over: an error, for restart policies
                raise SystemExit(3)
    finally:
        if lock is not None:
            await lock.release()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        if webapp is not None:
            await webapp.cleanup()
        if health is not None:
            await health.cleanup()
        await rt.dispatcher.storage.close()
        await rt.engine.dispose()


async def _load_contest(settings: Settings, path: Path) -> int:
    raw = await asyncio.to_thread(path.read_bytes)
    async with opened(settings) as w:
        try:
            result = await w.services.contests.load_definition(None, raw)
        except DefinitionInvalid as exc:
            print(render_definition_errors(exc.errors, limit=200), file=sys.stderr)
            return 1
    print(loaded_text(result).replace("<b>", "").replace("</b>", ""))
    return 0


async def _load_scheme(settings: Settings, path: Path, contest_code: str) -> int:
    """Load a marking scheme (YAML or XLSX) into a loaded contest, as its chief expert
    would by sending the file to the bot (R-SCH-1…4)."""
    raw = await asyncio.to_thread(path.read_bytes)
    try:
        scheme, sources = await asyncio.to_thread(parse_scheme_file, raw, path.name)
    except DefinitionInvalid as exc:
        print(
            render_definition_errors(exc.errors, limit=200, title_key="scheme-errors-title"),
            file=sys.stderr,
        )
        return 1
    async with opened(settings) as w:
        services = w.services
        contest = next(
            (c for c in await services.contests.contests() if c.code == contest_code), None
        )
        if contest is None:
            print(t("scheme-cli-contest-not-found", code=contest_code), file=sys.stderr)
            return 1
        try:
            result = await services.schemes.load_scheme(None, contest.id, scheme)
        except DefinitionInvalid as exc:
            # problems that need the contest (unknown nomination, a member who is not an
            # expert) are placed in the workbook as the file's own ones are
            errors = sources.remap(exc.errors) if sources is not None else exc.errors
            print(
                render_definition_errors(errors, limit=200, title_key="scheme-errors-title"),
                file=sys.stderr,
            )
            return 1
        summary = {
            "title": scheme.title or scheme.nomination,
            "nomination": scheme.nomination,
            "stage": scheme.stage,
            "criteria": result.criteria,
            "aspects": result.aspects,
            "groups": result.groups,
        }
        if result.unchanged:
            print(t("scheme-cli-unchanged", **summary))
        else:
            print(t("scheme-cli-loaded", created="yes" if result.created else "no", **summary))
        return 0


async def _verify_protocol(settings: Settings, path: Path) -> int:
    """Does this exact file match a version of a protocol (its SHA-256), and who signed
    that version (R-PRO-2)? 0 when it matches, 1 when it does not."""
    raw = await asyncio.to_thread(path.read_bytes)
    async with opened(settings) as w:
        found = await w.services.protocols.verify(raw)
    if not found.found or found.protocol is None:
        print(t("pro-cli-no-match", sha=found.pdf_sha256))
        return 1
    view = found.protocol
    tz = view.timezone

    def role(code: str) -> str:
        return t(f"doc-role-{code}") if code and has(f"doc-role-{code}") else code or "—"

    kind = t(f"doc-kind-{view.kind}") if has(f"doc-kind-{view.kind}") else view.kind
    lines = [
        t(
            "pro-cli-match",
            title=view.title,
            number=str(view.id),
            kind=kind,
            version=found.version or 0,
            sha=found.pdf_sha256,
        )
    ]
    if found.current:
        if view.status == "complete" and view.completed_at is not None:
            lines.append(t("pro-cli-current-complete", at=format_local(view.completed_at, tz)))
        else:
            missing = ", ".join(f"{m.name} ({role(m.role)})" for m in view.missing)
            lines.append(t("pro-cli-current-incomplete", missing=missing or "—"))
    else:
        lines.append(t("pro-cli-superseded", current=view.version))
    if found.signed_by:
        lines.append(t("pro-cli-signers-title", count=len(found.signed_by)))
        lines += [
            t(
                "pro-cli-signer",
                name=x.name,
                role=role(x.role),
                at=format_local(x.at, tz) if x.at else "—",
            )
            for x in found.signed_by
        ]
    else:
        lines.append(t("pro-cli-no-signers"))
    print("\n".join(lines))
    return 0


async def _sweep_once(settings: Settings) -> int:
    """One sweep, its messages handed to the configured broker (Redis, or nothing to run
    them in the embedded mode — there the bot's own sweep does it)."""
    # imported here: the queue's broker is built from the settings when imported, which only
    # this command (and the bot) needs
    import workers.actors  # noqa: F401  (declares the actors the jobs are queued to)
    from workers.queue import enqueue

    async with opened(settings, enqueue) as w:
        report = await sweep(
            w.sessionmaker,
            clock_from_settings(settings).now(),
            enqueue,
            requeue_after=timedelta(seconds=settings.requeue_after_seconds),
        )
    print(
        t(
            "cli-swept",
            created=report.created,
            enqueued=report.enqueued,
            seconds=f"{report.seconds:.3f}",
        )
    )
    return 0


async def _retention_once(settings: Settings) -> int:
    """R-PD-3: one retention purge now (the scheduler runs it daily)."""
    async with opened(settings) as w:
        report = await w.services.retention.purge(settings.retention_years)
    print(
        t(
            "ops-retention-done",
            years=settings.retention_years,
            participants=report.participants,
            files=report.files_deleted,
            persons=report.persons,
            deliveries=report.deliveries,
        )
    )
    for c in report.contests:
        print(
            t(
                "ops-retention-contest",
                code=c.code,
                ended=c.ended_at[:10],
                participants=c.participants,
                roles=c.roles,
                files=c.files_deleted,
            )
        )
    if report.undated:
        print(t("ops-retention-undated", codes=", ".join(report.undated)))
    return 0


async def _export_person(settings: Settings, telegram_id: int, output: Path | None) -> int:
    """A subject-access request answered by the operator: the person's data as JSON
    (their СНИЛС decrypted — it is theirs; the file must go to them only)."""
    async with opened(settings) as w:
        data = await w.services.retention.export_person(None, telegram_id, operator=True)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        print(t("ops-cli-export-written", id=str(telegram_id), path=str(output)), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=t("cli-description"))
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default)")
    sub.add_parser("migrate", help="apply database migrations")
    load = sub.add_parser("load-contest", help="load or re-load a contest definition")
    load.add_argument("file", type=Path)
    load_scheme = sub.add_parser(
        "load-scheme", help="load or re-load a marking scheme (YAML or XLSX)"
    )
    load_scheme.add_argument("file", type=Path)
    load_scheme.add_argument("--contest", required=True, metavar="CODE", help="the contest's code")
    verify = sub.add_parser(
        "verify-protocol", help="does this exact PDF match a signed protocol version?"
    )
    verify.add_argument("file", type=Path)
    sub.add_parser("generate-key", help="print a new PD_ENCRYPTION_KEY")
    sub.add_parser("sweep", help="run one sweep now: create due reminders, enqueue due messages")
    sub.add_parser(
        "retention",
        help="run the retention purge now (R-PD-3): anonymise contests ended RETENTION_YEARS ago",
    )
    export = sub.add_parser(
        "export-person", help="everything held about one person, as JSON (subject-access request)"
    )
    export.add_argument("telegram_id", type=int)
    export.add_argument("--output", type=Path, help="write to this file instead of standard output")
    schema = sub.add_parser("contest-schema", help="print the contest file's JSON Schema")
    schema.add_argument("--write", type=Path, help="write it to this file instead")
    args = parser.parse_args(argv)

    if args.command == "generate-key":
        print(PersonalDataCipher.generate_key())
        return 0
    if args.command == "contest-schema":
        text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
        if args.write:
            args.write.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0

    settings = _settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logsafe.install()
    apply_format(settings.log_format)  # LOG_FORMAT=json: JSON lines, СНИЛС still masked
    if args.command == "migrate":
        try:
            check_clock(settings)
        except ClockMisconfigured as exc:
            print(exc, file=sys.stderr)
            return 2

        upgrade_sync(settings.effective_database_url)
        print(t("cli-migrated"))
        return 0
    # CLOCK_START (issue 12 §4): refused with a production database unless allowed; else every
    # process finds the rehearsal's common anchor and says loudly that its clock is shifted.
    try:
        asyncio.run(
            resolve_clock(
                settings,
                "bot" if args.command in (None, "run") else f"python -m bot {args.command}",
            )
        )
    except ClockMisconfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "sweep":
        return asyncio.run(_sweep_once(settings))
    if args.command == "load-contest":
        if not args.file.is_file():
            print(t("cli-file-not-found", path=str(args.file)), file=sys.stderr)
            return 2
        return asyncio.run(_load_contest(settings, args.file))
    if args.command == "load-scheme":
        if not args.file.is_file():
            print(t("cli-file-not-found", path=str(args.file)), file=sys.stderr)
            return 2
        return asyncio.run(_load_scheme(settings, args.file, args.contest))
    if args.command == "verify-protocol":
        if not args.file.is_file():
            print(t("cli-file-not-found", path=str(args.file)), file=sys.stderr)
            return 2
        return asyncio.run(_verify_protocol(settings, args.file))
    if args.command == "retention":
        return asyncio.run(_retention_once(settings))
    if args.command == "export-person":
        return asyncio.run(_export_person(settings, args.telegram_id, args.output))
    asyncio.run(_run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
