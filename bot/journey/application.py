"""The nominations (R-APP-1…3) and the application: its menu, its summary before sending
(R-APP-4…6), and a minor's parental consent line in both (R-ROLE-5)."""

from __future__ import annotations

from bot.callbacks import NavCb
from bot.journey.callbacks import AppAction, AppCb, GuardianAction, GuardianCb, NominationCb
from bot.screens import Button, Screen, button_label, choices, keyboard
from bot.texts import format_dt, missing_lines, tr
from models import rules
from models.guardian_rules import GuardianStatus, GuardianSummary
from models.services import Services
from models.views import ApplicationView, NominationView, ParticipantView


def conditions_lines(nom: NominationView) -> list[str]:
    c = nom.conditions
    lines = []
    if c.min_age is not None:
        lines.append(tr("cond-min-age", limit=c.min_age))
    if c.max_age is not None:
        lines.append(tr("cond-max-age", limit=c.max_age))
    if c.min_experience_years is not None:
        lines.append(tr("cond-min-experience", limit=c.min_experience_years))
    if c.requires_practice:
        lines.append(tr("cond-practice"))
    return lines


async def nominations_screen(services: Services, contest_id: int) -> Screen:
    noms = await services.contests.nominations(contest_id)
    markup = choices(
        (button_label(n.title, width=60), NominationCb(contest_id=contest_id, nomination_id=n.id))
        for n in noms
    )
    return Screen(tr("nominations-title"), markup)


def nomination_card(contest_id: int, nom: NominationView) -> Screen:
    text = tr("nomination-card", title=nom.title, description=nom.description or "")
    cond = conditions_lines(nom)
    if cond:
        text += "\n\n" + tr("nomination-conditions") + "\n" + "\n".join("• " + c for c in cond)
    choose = NominationCb(contest_id=contest_id, nomination_id=nom.id, choose=True)
    return Screen(
        text,
        keyboard(
            (tr("btn-choose-this"), choose),
            (tr("btn-back"), NavCb(contest_id=contest_id, to="nominations")),
        ),
    )


# --------------------------------------------------------------------------- a minor (R-ROLE-5)


def guardian_status_label(status: str) -> str:
    return tr("guardian-status-" + status)


def guardian_menu_item(contest_id: int, summary: GuardianSummary) -> Button:
    """The application menu's line for a minor's consent."""
    state = summary.status if summary.status != GuardianStatus.DRAFT or summary.gaps else "ready"
    return (
        tr("btn-guardian-menu", state=state),
        GuardianCb(contest_id=contest_id, action=GuardianAction.OPEN),
    )


def guardian_status_line(summary: GuardianSummary) -> str:
    """/status: the consent's state in one line."""
    return tr(
        "guardian-status-line",
        state=guardian_status_label(summary.status),
        age=summary.age,
        day=f"{summary.stage_date:%d.%m.%Y}",
    )


# --------------------------------------------------------------------------- application (R-APP-4…6)


def application_menu(view: ParticipantView) -> Screen:
    app = view.application
    assert app is not None
    cid = view.contest.id
    items: list[Button] = []
    done = total = 0
    for f in app.nomination.fields:
        filled = bool(app.field_values.get(f.code))
        total += f.required
        done += f.required and filled
        label = tr(
            "app-field-done" if filled else "app-field-todo", title=button_label(f.title, width=50)
        )
        items.append((label, AppCb(contest_id=cid, action=AppAction.FIELD, code=f.code)))
    for slot in app.nomination.files:
        count = len(app.files_in(slot.code))
        total += slot.requirement.required
        done += slot.requirement.required and count > 0
        if not slot.requirement.required:
            key = "app-file-optional"
        else:
            key = "app-file-done" if count else "app-file-todo"
        label = tr(key, title=button_label(slot.title, width=50), count=count)
        items.append((label, AppCb(contest_id=cid, action=AppAction.FILE, code=slot.code)))
    total += 2
    done += app.consent_privacy + app.consent_transfer
    # Each consent button says the value it sets ("1" give, "0" take back), so a double
    # press sets it twice instead of toggling it back (issue #12).
    privacy = "app-consent-privacy-on" if app.consent_privacy else "app-consent-privacy-off"
    transfer = "app-consent-transfer-on" if app.consent_transfer else "app-consent-transfer-off"
    items.append(
        (
            tr(privacy),
            AppCb(
                contest_id=cid, action=AppAction.PRIVACY, code="0" if app.consent_privacy else "1"
            ),
        )
    )
    items.append(
        (
            tr(transfer),
            AppCb(
                contest_id=cid, action=AppAction.TRANSFER, code="0" if app.consent_transfer else "1"
            ),
        )
    )
    if view.guardian is not None:  # R-ROLE-5: a minor's parental consent
        items.append(guardian_menu_item(cid, view.guardian))
        total += 1
        done += view.guardian.accepted
    items.append((tr("btn-app-review"), AppCb(contest_id=cid, action=AppAction.REVIEW)))
    text = tr(
        "app-menu",
        nomination=app.nomination.title,
        done=done,
        total=total,
        deadline=format_dt(view.contest.application_deadline, view.contest.timezone),
    )
    return Screen(text, choices(items))


def application_summary(view: ParticipantView) -> Screen:
    app: ApplicationView = view.application  # type: ignore[assignment]
    cid = view.contest.id
    lines = [tr("app-summary-title"), tr("app-summary-nomination", nomination=app.nomination.title)]
    for f in app.nomination.fields:
        lines.append(
            tr("app-summary-field", title=f.title, value=app.field_values.get(f.code) or "—")
        )
    for slot in app.nomination.files:
        names = (
            ", ".join(
                f"{x.file_name or tr('file-unnamed')} ({tr('file-size', size=rules.size_mb(x.size))})"
                for x in app.files_in(slot.code)
            )
            or "—"
        )
        lines.append(tr("app-summary-file", title=slot.title, files=names))
    items: list[Button] = []
    # R-ROLE-5: sent once the minor's consent is accepted
    guardian_waits = view.guardian is not None and not view.guardian.accepted
    if view.guardian is not None and guardian_waits:
        lines += ["", guardian_status_line(view.guardian)]
        items.append(guardian_menu_item(cid, view.guardian))
    if app.missing.nothing and not guardian_waits:
        lines.append(tr("app-summary-consents"))
        items.append((tr("btn-app-submit"), AppCb(contest_id=cid, action=AppAction.SUBMIT)))
    elif not app.missing.nothing:
        lines.append("")
        lines.append(tr("app-summary-missing"))
        lines += ["• " + line for line in missing_lines(app.missing, app)]
    items.append((tr("btn-back"), AppCb(contest_id=cid, action=AppAction.MENU)))
    return Screen("\n".join(lines), choices(items))


__all__ = [
    "application_menu",
    "application_summary",
    "conditions_lines",
    "guardian_menu_item",
    "guardian_status_label",
    "guardian_status_line",
    "nomination_card",
    "nominations_screen",
]
