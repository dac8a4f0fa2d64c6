"""Team representatives (R-APL-2, 002 §5.3, §8) and volunteers (R-RES-3, 002 §5.5, §6.9) —
issue #15.

- The pure rules (:mod:`models.teams`): who may appeal for a participant, and why not; one
  representative per 15 participants of a region.
- The contest file and invitations declare both roles; a representative is bound to one
  region, and a coordinator invites them only for their own region and within the limit.
- The representative appeals for the participants of their region's team (also a mentored
  one); another region's representative is refused with whose team it is; the regional head
  appeals only for a participant with neither a mentor nor a team representative, and is told
  who represents the team — every refusal changes nothing.
- Volunteers get a thank-you letter in the chat when results are published: once per stage.

The world is tests/services/test_appeals.py's (participants 701 with the mentor, 702, 703 of Moscow,
751 of the oblast), on SQLite and on real PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.menus import commands_for
from bot.texts import error_text
from models.clock import FixedClock
from models.contest_file import DefinitionInvalid, Role, parse_contest_definition
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.invitations import InviteSpec
from models.services.scoring.changes import award_common
from models.services.volunteers import thank_volunteers
from models.tables import Appeal, AuditRecord, Delivery, Invitation, RoleAssignment, Scheme
from models.teams import ApplicantRole, appeal_applicant, appeal_refusal, representatives_allowed
from notifications.documents import award_pdf
from notifications.i18n import t
from tests.builders import (
    CHIEF,
    EVIDENCE,
    FIELDS,
    LINK,
    MENTOR,
    NEW,
    Setup,
    World,
    at,
    menus_for,
    results_protocol,
    score_all,
    setup,
    sign_all,
    sign_score_lock,
)
from tests.conftest import ADMIN_ID, COORD_MOSCOW, COORD_OBLAST, EXAMPLE, FEDERAL, JobLog

REP_77, REP_50, VOLUNTEER, VOLUNTEER_2 = 100070, 100071, 100073, 100074


async def ready(
    services: Services, contest_id: int, clock: FixedClock, *, score: bool = False
) -> Setup:
    """tests/services/test_appeals.py's world without the commission (filing and publication need none)."""
    st = await setup(services, contest_id)
    if score:
        await score_all(services, st)
        await services.score_lock.lock_scores(CHIEF, st.scheme_id)
    clock.at = at(9, 0, date(2027, 5, 3))
    return st


# --------------------------------------------------------------------------- pure rules


def test_representatives_allowed_one_per_fifteen_participants() -> None:
    """002 §5.3: «не более 1 представителя команды на 15 конкурсантов»; one while the team forms."""
    assert [representatives_allowed(n) for n in (0, 1, 15, 16, 30, 31, 45, 46)] == [
        1,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
    ]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            dict(
                is_mentor=True,
                represents_team=False,
                heads_region=False,
                has_mentor=True,
                has_representative=True,
            ),
            ApplicantRole.MENTOR,
        ),
        (
            dict(
                is_mentor=False,
                represents_team=True,
                heads_region=False,
                has_mentor=True,
                has_representative=True,
            ),
            ApplicantRole.TEAM_REPRESENTATIVE,
        ),
        (
            dict(
                is_mentor=False,
                represents_team=False,
                heads_region=True,
                has_mentor=False,
                has_representative=False,
            ),
            ApplicantRole.REGIONAL_HEAD,
        ),
        (
            dict(
                is_mentor=False,
                represents_team=False,
                heads_region=True,
                has_mentor=False,
                has_representative=True,
            ),
            None,
        ),
        (
            dict(
                is_mentor=False,
                represents_team=False,
                heads_region=True,
                has_mentor=True,
                has_representative=False,
            ),
            None,
        ),
        (
            dict(
                is_mentor=False,
                represents_team=False,
                heads_region=False,
                has_mentor=False,
                has_representative=False,
            ),
            None,
        ),
    ],
)
def test_who_may_appeal(facts: dict[str, bool], expected: ApplicantRole | None) -> None:
    """R-APL-2: the mentor, the team representative, or — without either — the regional head."""
    assert appeal_applicant(**facts) == expected


def test_why_not_an_applicant() -> None:
    assert (
        appeal_refusal(represents_other_team=True, heads_region=False, has_representative=False)
        == "appeal_not_your_team"
    )
    assert (
        appeal_refusal(represents_other_team=False, heads_region=True, has_representative=True)
        == "appeal_team_has_representative"
    )
    assert (
        appeal_refusal(represents_other_team=False, heads_region=True, has_representative=False)
        == "not_an_applicant"
    )


# --------------------------------------------------------------------------- the contest file


def _contest_with(*people: dict[str, Any]) -> bytes:
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["people"] = [*data["people"], *people]
    return yaml.safe_dump(data, allow_unicode=True).encode()


def test_contest_file_declares_representatives_and_volunteers() -> None:
    d = parse_contest_definition(
        _contest_with(
            {"name": "Миронов Олег Петрович", "role": "team_representative", "regions": ["77"]},
            {"name": "Котова Вера Ильинична", "role": "volunteer"},
        )
    )
    assert [p.role for p in d.people[-2:]] == [Role.TEAM_REPRESENTATIVE, Role.VOLUNTEER]
    for regions in ([], ["77", "50"]):
        with pytest.raises(DefinitionInvalid) as err:
            parse_contest_definition(
                _contest_with(
                    {
                        "name": "Миронов Олег Петрович",
                        "role": "team_representative",
                        "regions": regions,
                    }
                )
            )
        [e] = err.value.errors
        assert e.code == "team_needs_one_region" and e.place.endswith(".regions")
    assert "ровно одного региона" in t("def-err-team-needs-one-region", place="people[17].regions")


# --------------------------------------------------------------------------- invitations


async def _bind(
    services: Services,
    contest_id: int,
    actor: int,
    uid: int,
    role: Role,
    name: str,
    regions: tuple[str, ...] = (),
) -> None:
    issued = await services.invitations.create(
        actor, contest_id, InviteSpec(role=role.value, name=name, regions=regions)
    )
    await services.invitations.accept(uid, issued.token)


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with services.ctx.sessionmaker() as s:
        return int(
            (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def test_coordinator_invites_a_representative_of_their_region_within_the_limit(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await ready(services, contest_id, clock)  # 3 participants in Moscow: one representative allowed
    inv = services.invitations
    roles, _, _ = await inv.choices(COORD_MOSCOW, contest_id)
    assert {"team_representative", "volunteer"} <= set(roles)
    before = await _count(services, Invitation)
    for spec, exc, code in (
        (
            InviteSpec(role="team_representative", name="Миронов Олег Петрович"),
            DomainError,
            "inv_team_one_region",
        ),
        (
            InviteSpec(
                role="team_representative", name="Миронов Олег Петрович", regions=("77", "50")
            ),
            DomainError,
            "inv_team_one_region",
        ),
        (
            InviteSpec(role="team_representative", name="Миронов Олег Петрович", regions=("50",)),
            Forbidden,
            "inv_region_out_of_scope",
        ),
        (
            InviteSpec(role="volunteer", name="Котова Вера Ильинична"),
            DomainError,
            "inv_volunteer_needs_region",
        ),
    ):
        with pytest.raises(exc) as err:
            await inv.create(COORD_MOSCOW, contest_id, spec)
        assert err.value.code == code, err.value
        assert error_text(err.value) and "err-" not in error_text(err.value)
    assert await _count(services, Invitation) == before

    first = await inv.create(
        COORD_MOSCOW,
        contest_id,
        InviteSpec(role="team_representative", name="Миронов Олег Петрович", regions=("77",)),
    )
    with pytest.raises(DomainError) as err:
        await inv.create(
            COORD_MOSCOW,
            contest_id,
            InviteSpec(role="team_representative", name="Лосев Иван Ильич", regions=("77",)),
        )
    assert err.value.code == "inv_team_full"
    text = error_text(err.value)
    assert (
        "«г. Москва»" in text
        and "Миронов Олег Петрович" in text
        and "15 конкурсантов" in text
        and "3" in text
    )
    # a cancelled invitation frees the place; the representative bound holds it
    await inv.revoke_invitation(COORD_MOSCOW, first.id)
    await _bind(
        services,
        contest_id,
        COORD_MOSCOW,
        REP_77,
        Role.TEAM_REPRESENTATIVE,
        "Лосев Иван Ильич",
        ("77",),
    )
    with pytest.raises(DomainError) as err:
        await inv.create(
            FEDERAL,
            contest_id,
            InviteSpec(role="team_representative", name="Третий Пётр Ильич", regions=("77",)),
        )
    assert err.value.code == "inv_team_full" and "Лосев Иван Ильич" in error_text(err.value)
    # the oblast has its own team
    await _bind(
        services,
        contest_id,
        COORD_OBLAST,
        REP_50,
        Role.TEAM_REPRESENTATIVE,
        "Орехова Нина Львовна",
        ("50",),
    )
    await _bind(
        services,
        contest_id,
        COORD_MOSCOW,
        VOLUNTEER,
        Role.VOLUNTEER,
        "Котова Вера Ильинична",
        ("77",),
    )
    assert await inv.menu_roles(REP_77) >= {"team_representative"}
    assert "appeal" in [c.command for c in commands_for(await inv.menu_roles(REP_77))]


async def test_two_coordinators_inviting_the_last_representative_at_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    """The region's row is locked: one invitation, the other told the team is full."""
    await ready(services, contest_id, clock)
    inv = services.invitations
    got = await asyncio.gather(
        inv.create(
            COORD_MOSCOW,
            contest_id,
            InviteSpec(role="team_representative", name="Миронов Олег Петрович", regions=("77",)),
        ),
        inv.create(
            FEDERAL,
            contest_id,
            InviteSpec(role="team_representative", name="Лосев Иван Ильич", regions=("77",)),
        ),
        return_exceptions=True,
    )
    errors = [g for g in got if isinstance(g, BaseException)]
    assert (
        len(errors) == 1
        and isinstance(errors[0], DomainError)
        and errors[0].code == "inv_team_full"
    ), got
    assert await _count(services, Invitation, Invitation.role == "team_representative") == 1


async def test_bulk_list_knows_the_new_roles(services: Services, contest_id: int) -> None:
    rows = [
        ["ФИО", "Роль", "Регион"],
        ["Миронов Олег Петрович", "Представитель команды", "77"],
        ["Котова Вера Ильинична", "Волонтёр", "77"],
        ["Лосев Иван Ильич", "представитель команды", "77, 50"],
    ]
    data = "\n".join(";".join(r) for r in rows).encode("utf-8-sig")
    result = await services.invitations.create_bulk(FEDERAL, contest_id, "staff.csv", data)
    assert result.created == 2 and result.failed == [4]
    assert result.rows[2].error is not None and result.rows[2].error.code == "inv_team_one_region"


# --------------------------------------------------------------------------- appeals (R-APL-2)


async def _file(services: Services, actor: int, target: int) -> Any:
    return await services.appeals.file(
        actor,
        target,
        kind="scoring_procedure",
        dispute_at=at(9, 30),
        fields=FIELDS,
        evidence=EVIDENCE,
    )


async def _refused(services: Services, code: str, coro: Any) -> DomainError:
    """Refused with ``code``; no appeal, no audit row, no notice."""
    before = (
        await _count(services, Appeal),
        await _count(services, AuditRecord),
        await _count(services, Delivery),
    )
    with pytest.raises(Forbidden) as err:
        await coro
    assert err.value.code == code, err.value
    assert (
        await _count(services, Appeal),
        await _count(services, AuditRecord),
        await _count(services, Delivery),
    ) == before
    return err.value


async def test_team_representative_appeals_for_their_team_only(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock)
    t701, t702, t703, t751 = st.targets
    await _bind(
        services,
        contest_id,
        FEDERAL,
        REP_50,
        Role.TEAM_REPRESENTATIVE,
        "Орехова Нина Львовна",
        ("50",),
    )
    clock.at = at(10, 0)
    # without a Moscow representative the regional head appeals for 702 and 703 (no mentor)
    assert [
        t for t, _ in await services.appeals.targets_for_applicant(COORD_MOSCOW, contest_id)
    ] == [t702, t703]
    # the oblast has a representative: its coordinator no longer appeals, and is told why
    assert await services.appeals.targets_for_applicant(COORD_OBLAST, contest_id) == []
    err = await _refused(
        services, "appeal_team_has_representative", _file(services, COORD_OBLAST, t751)
    )
    assert "Орехова Нина Львовна" in error_text(err) and "Московская область" in error_text(err)
    # the oblast's representative appeals for the oblast's participant only
    assert [t for t, _ in await services.appeals.targets_for_applicant(REP_50, contest_id)] == [
        t751
    ]
    err = await _refused(services, "appeal_not_your_team", _file(services, REP_50, t702))
    assert "«г. Москва»" in error_text(err) and "«Московская область»" in error_text(err)
    with pytest.raises(
        Forbidden
    ) as stale:  # a stale /appeal button: the same reason, before any question
        await services.appeals.check_applicant(REP_50, t702)
    assert stale.value.code == "appeal_not_your_team"

    a = await _file(services, REP_50, t751)
    assert (a.status, a.applicant_role) == ("registered", "team_representative")
    card = t(
        "apl-card",
        id=a.id,
        status=a.status,
        target=a.target_label,
        kind="x",
        role=a.applicant_role,
        applicant_name="Орехова",
        applicant_category="представитель",
        contacts="-",
        dispute="-",
        place="-",
        violators="-",
        witnesses="-",
        description="-",
        demands="-",
        deadline="-",
        decide_by="-",
        evidence=1,
        filed="-",
        registered="-",
        uphold=0,
        reject=0,
        excluded="-",
    )
    assert "(представитель команды)" in card

    # a Moscow representative: every Moscow participant, the mentored one too; the head steps back
    await _bind(
        services, contest_id, FEDERAL, REP_77, Role.TEAM_REPRESENTATIVE, "Лосев Иван Ильич", ("77",)
    )
    assert [t for t, _ in await services.appeals.targets_for_applicant(REP_77, contest_id)] == [
        t701,
        t702,
        t703,
    ]
    assert [t for t, _ in await services.appeals.targets_for_applicant(MENTOR, contest_id)] == [
        t701
    ]
    assert await services.appeals.targets_for_applicant(COORD_MOSCOW, contest_id) == []
    await _refused(services, "appeal_team_has_representative", _file(services, COORD_MOSCOW, t702))
    b = await _file(services, REP_77, t701)
    assert b.applicant_role == "team_representative"
    # the representative's role revoked: the head may appeal again, the former representative not
    async with services.ctx.sessionmaker() as s:
        role_id = (
            await s.execute(select(RoleAssignment.id).where(RoleAssignment.telegram_id == REP_77))
        ).scalar_one()
    await services.invitations.revoke_role(FEDERAL, role_id)
    assert [
        t for t, _ in await services.appeals.targets_for_applicant(COORD_MOSCOW, contest_id)
    ] == [t702, t703]
    err = await _refused(services, "not_an_applicant", _file(services, REP_77, t702))
    assert "представитель команды" in error_text(err)
    c = await _file(services, COORD_MOSCOW, t702)
    assert c.applicant_role == "regional_head"


# --------------------------------------------------------------------------- volunteers (R-RES-3)


async def test_volunteers_get_a_thank_you_letter_once_per_stage(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    await _bind(
        services, contest_id, FEDERAL, VOLUNTEER, Role.VOLUNTEER, "Котова Вера Ильинична", ("77",)
    )
    await _bind(services, contest_id, FEDERAL, VOLUNTEER_2, Role.VOLUNTEER, "Гусев Лев Ильич", ())
    await _bind(services, contest_id, FEDERAL, REP_77, Role.VOLUNTEER, "Бывший Волонтёр Ильич", ())
    async with services.ctx.sessionmaker() as s:
        gone = (
            await s.execute(select(RoleAssignment.id).where(RoleAssignment.telegram_id == REP_77))
        ).scalar_one()
    await services.invitations.revoke_role(FEDERAL, gone)  # a revoked volunteer gets nothing
    clock.at = at(21, 30)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)
    await sign_all(services, pid, version, signers)
    await services.publication.publish(FEDERAL, st.scheme_id)

    async with services.ctx.sessionmaker() as s:
        letters = (
            (
                await s.execute(
                    select(Delivery)
                    .where(Delivery.reason == "thanks-volunteer")
                    .order_by(Delivery.id)
                )
            )
            .scalars()
            .all()
        )
        scheme = await s.get(Scheme, st.scheme_id)
        assert scheme is not None
    assert [d.recipient_chat_id for d in letters] == [VOLUNTEER, VOLUNTEER_2]
    assert "Спасибо за помощь" in t(letters[0].message_key, **letters[0].message_args)
    award = letters[0].message_args["_award"]
    assert (award["kind"], award["person"], award["role"]) == (
        "thanks",
        "Котова Вера Ильинична",
        "volunteer",
    )
    text = re.sub(
        r"\s+",
        " ",
        "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(award_pdf(award))).pages),
    )
    assert (
        "Благодарственное письмо" in text
        and "Котова Вера Ильинична" in text
        and "волонтёра" in text
    )

    # another competence of the same stage published: no second letter for the stage
    async with services.publication.uow() as uow:
        assert (
            await thank_volunteers(uow, scheme, await award_common(uow.session, scheme, uow.now))
            == 0
        )
    assert await _count(services, Delivery, Delivery.reason == "thanks-volunteer") == 2


def test_expert_letters_are_unchanged() -> None:
    """Only a letter with a role gets a role's text; an expert's stays as it was."""
    spec = {
        "kind": "thanks",
        "person": "Орлов Дмитрий Игоревич",
        "contest": "Конкурс",
        "stage": "Этап",
        "subject": "Номинация",
        "text": "",
        "medal": None,
        "issued_at": "10.05.2027",
        "number": "1-E1",
    }
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(award_pdf(spec))).pages)
    assert "волонт" not in text and "Номинация" in text


# --------------------------------------------------------------------------- the chat


async def test_representative_invited_in_chat_gets_the_appeal_command(world: World) -> None:
    """/invite → «Представитель команды» → the region → the name; the person binds the role,
    sees /appeal in the menu and the help, and /start greets them as staff, not as a
    participant (R-APL-2)."""
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    assert "Команду какого региона" in await admin.press("Представитель команды")
    await admin.press("г. Москва")
    reply = await admin.send("Миронов Олег Петрович")
    match = LINK.search(reply)
    assert match, reply
    person = world.person(NEW, "Олег")
    reply = await person.send(f"/start {match.group(1)}")
    assert "представитель команды" in reply and "г. Москва" in reply
    reply = await person.press("Да, это я")
    assert "Готово" in reply and "/appeal" in reply and "Представителю команды" in reply
    assert "appeal" in menus_for(world, NEW)[-1]
    reply = await person.send("/start")
    assert "Вы в списке сотрудников" in reply and "/appeal" in reply


async def test_qa6_the_regional_head_is_told_who_represents_the_team(world: World) -> None:
    """QA 6 (issue #15): /appeal of an oblast coordinator whose team has a representative says
    who represents it, not the general rule."""
    await ready(world.services, 1, world.clock)
    await _bind(
        world.services,
        1,
        FEDERAL,
        REP_50,
        Role.TEAM_REPRESENTATIVE,
        "Орехова Нина Львовна",
        ("50",),
    )
    reply = await world.person(COORD_OBLAST, "Коорд").send("/appeal")
    assert "Орехова Нина Львовна" in reply and "Московская область" in reply, reply
    reply = await world.person(VOLUNTEER, "Вера").send(
        "/appeal"
    )  # nobody to appeal for, no standing: the general rule
    assert "Подать апелляцию может эксперт-наставник" in reply


async def test_qa9_publication_counts_volunteer_letters_and_the_volunteer_help_is_true_after(
    world: World,
) -> None:
    """QA 9 (issue #15): the publish summary counts the volunteers' letters; the volunteer's
    /start does not promise a letter that has been sent already."""
    from bot.handlers.protocols.callbacks import PubCb

    st = await ready(world.services, 1, world.clock, score=True)
    await _bind(
        world.services, 1, FEDERAL, VOLUNTEER, Role.VOLUNTEER, "Котова Вера Ильинична", ("77",)
    )
    world.clock.at = at(21, 30)
    await sign_score_lock(world.services, world.jobs)
    pid, version, signers = await results_protocol(world.services, world.jobs, st)
    await sign_all(world.services, pid, version, signers)
    reply = await world.person(FEDERAL, "Фед").press_data(
        PubCb(scheme_id=st.scheme_id, action="go").pack()
    )
    assert "Итоги опубликованы" in reply and "волонтёрам — 1" in reply and "экспертам —" in reply, (
        reply
    )
    reply = await world.person(VOLUNTEER, "Вера").send("/start")
    assert (
        "Волонтёру" in reply
        and "будут опубликованы, бот пришлёт" not in reply
        and "письмо уже отправлено" in reply
    )
