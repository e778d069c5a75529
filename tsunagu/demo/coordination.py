"""Demo referrals and meetings: referrals in every state (two overdue and escalated), a support
meeting with minutes and action items, and a council meeting without personal data.

Referrals are sent on business days chosen backwards from their answer day: the overdue ones were
due one and two business days before today, the answered ones were answered in time."""

from typing import Any

from django.utils import timezone

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case, SharingBasis
from tsunagu.demo.run import DemoRun
from tsunagu.meetings.models import MeetingKind
from tsunagu.meetings.services import decision_add, meeting_add_case, meeting_create, meeting_update
from tsunagu.referrals import services as referrals
from tsunagu.referrals.models import Referral, ReferralEvent


def coordination(run: DemoRun) -> None:
    merkmal_cases, link_cases = _open_cases("merkmal"), _open_cases("link")
    if len(merkmal_cases) < 4 or len(link_cases) < 4:
        return
    _referrals_waiting(run, merkmal_cases)
    _referrals_overdue(run, merkmal_cases, link_cases)
    _referrals_accepted(run, merkmal_cases, link_cases)
    _referrals_refused(run, merkmal_cases, link_cases)
    support_meeting(run, merkmal_cases[0])
    council_meeting(run)


def _agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def _open_cases(code: str) -> list[Case]:
    return list(
        Case.objects.filter(team__agency__code=code, team__role="lead", team__until__isnull=True)
        .exclude(status="closed")
        .order_by("pk")
    )


def _refer(
    run: DemoRun,
    case: Case,
    sender: Any,
    from_code: str,
    to_code: str,
    reason: str,
    summary: str,
    *,
    sent_on: Any = None,
    accompanied: bool = False,
) -> Referral:
    person = case.household.members.filter(is_concerned=True).first()
    referral, _created = referrals.referral_send(
        user=sender,
        case=case,
        from_agency=_agency(from_code),
        to_agency=_agency(to_code),
        person=person,
        reason=reason,
        summary=summary,
        basis=SharingBasis.MEETING_ART9,
        accompanied=accompanied,
    )
    if sent_on is not None:  # demo only: as if sent on that (past) day, in office hours
        sent = run.when.at(sent_on, 10, 30)
        due = referrals.referral_due_on(to_agency=referral.to_agency, sent_on=sent_on)
        Referral.objects.filter(pk=referral.pk).update(requested_at=sent, due_on=due)
        ReferralEvent.objects.filter(referral=referral).update(at=sent)
        referral.refresh_from_db()
    return referral


def _referrals_waiting(run: DemoRun, merkmal_cases: list[Case]) -> None:
    worker = run.users["caseworker"]
    # 依頼中: to the あんしんすこやかセンター (the demo user "anshin" answers it)
    _refer(
        run,
        merkmal_cases[0],
        worker,
        "merkmal",
        "anshin-ikejiri",
        "母親の介護の相談先として",
        "母親（80代）は足腰が弱り、買い物に困っている。本人（30代）は家事を手伝えていない。",
    )
    # 依頼中, with a question from the school that waits for the sender's reply
    to_school = _refer(
        run,
        merkmal_cases[1],
        worker,
        "merkmal",
        "kyoiku-iinkai",
        "中学時代の不登校の経緯を共有したい",
        "本人は中学2年から不登校。当時の支援の記録があれば教えてほしい。",
    )
    referrals.referral_message(
        user=run.users["partner"], referral=to_school, side="receiver", text="在籍していた学校名を教えてください。"
    )


def _referrals_overdue(run: DemoRun, merkmal_cases: list[Case], link_cases: list[Case]) -> None:
    """期限超過: due two business days ago (and one), unanswered, escalated to the desk and (for
    メルクマール's) the supervisor."""
    when = run.when
    _refer(
        run,
        merkmal_cases[2],
        run.users["caseworker"],
        "merkmal",
        "shuro-yuni",
        "就労体験を希望",
        "本人は週2日程度の軽作業を希望。人の多い場所は苦手。",
        sent_on=when.sent_on_for_late(referral_days=_agency("shuro-yuni").referral_days, late_by=2),
    )
    _refer(
        run,
        link_cases[0],
        run.users["link-worker"],
        "link",
        "hfc-setagaya",
        "保健師の訪問を依頼",
        "本人に不眠と食欲低下。精神科の受診歴なし。",
        sent_on=when.sent_on_for_late(referral_days=_agency("hfc-setagaya").referral_days, late_by=1),
        accompanied=True,
    )
    referrals.referrals_escalate(today=when.today)


def _referrals_accepted(run: DemoRun, merkmal_cases: list[Case], link_cases: list[Case]) -> None:
    """Accepted, and accepted with the first meeting held: each answered in time."""
    users, when = run.users, run.when
    worker, link_worker = users["caseworker"], users["link-worker"]
    # 受理: the あんしんすこやかセンター joined the team, first meeting not yet held
    accepted = _refer(
        run,
        link_cases[1],
        link_worker,
        "link",
        "anshin-ikejiri",
        "母親の介護保険の申請支援",
        "母親が要介護認定を受けていない。本人は母親の介護を一人で抱えている。",
        sent_on=when.business_days_ago(2),
        accompanied=True,
    )
    referrals.referral_accept(
        user=users["anshin"], referral=accepted, expected_version=accepted.version, comment="来週訪問します。"
    )
    # 初回面談済
    met = _refer(
        run,
        link_cases[2],
        link_worker,
        "link",
        "merkmal",
        "39歳以下の若者支援として",
        "本人は30代前半。同年代の居場所に関心がある。",
        sent_on=when.business_days_ago(5),
    )
    met = referrals.referral_accept(user=worker, referral=met, expected_version=met.version)
    referrals.referral_first_met(user=worker, referral=met, expected_version=met.version, on=when.business_days_ago(1))


def _referrals_refused(run: DemoRun, merkmal_cases: list[Case], link_cases: list[Case]) -> None:
    """Declined (answered in time) and withdrawn by the sender."""
    users, when = run.users, run.when
    worker, link_worker = users["caseworker"], users["link-worker"]
    # 辞退: the sender (caseworker) sees the answer on the work page
    declined = _refer(
        run,
        merkmal_cases[3],
        worker,
        "merkmal",
        "link",
        "40歳を前に主担当の引き継ぎを相談したい",
        "本人は39歳。就労には関心がない。",
        sent_on=when.business_days_ago(3),
    )
    referrals.referral_decline(
        user=users["desk"],
        referral=declined,
        expected_version=declined.version,
        decline_reason="not_enough",
        comment="引き継ぎの時期と本人の意向を確認してから、もう一度ご依頼ください。",
    )
    # 取下げ
    withdrawn = _refer(
        run,
        link_cases[3],
        link_worker,
        "link",
        "saposute",
        "就労準備の相談",
        "本人は就労に関心があるが、体調に波がある。",
        sent_on=when.business_days_ago(4),
    )
    referrals.referral_withdraw(
        user=link_worker,
        referral=withdrawn,
        expected_version=withdrawn.version,
        reason="本人が通院を優先したいと話したため",
    )


def support_meeting(run: DemoRun, case: Case) -> None:
    """A support meeting (第9条) with minutes, a case discussed and action items. Held on the last
    business day: its attending agencies are inside the sharing window."""
    users, when = run.users, run.when
    worker = users["caseworker"]
    held = when.at(when.business_days_ago(1), 14)
    meeting, _created = meeting_create(
        user=users["supervisor"],
        organiser=_agency("merkmal"),
        kind=MeetingKind.SUPPORT_ART9,
        title=f"支援会議（{timezone.localdate(held).month}月）",
        held_at=held,
        place="メルクマールせたがや 会議室（架空）",
        agencies=[_agency("link"), _agency("anshin-ikejiri")],
        other_attendees="民生委員",
    )
    meeting_add_case(user=users["supervisor"], meeting=meeting, case=case)
    meeting = meeting_update(
        user=users["supervisor"],
        meeting=meeting,
        expected_version=meeting.version,
        title=meeting.title,
        held_at=held,
        place=meeting.place,
        agencies=[_agency("link"), _agency("anshin-ikejiri")],
        attendees=[users["supervisor"], worker, users["desk"], users["anshin"]],
        other_attendees=meeting.other_attendees,
        minutes=(
            "1. 本人と家族の状況の共有（メルクマールせたがや）\n"
            "   母親の足腰が弱り、通院に付き添いが必要になってきた。本人は夜間のみ外出。\n"
            "2. 役割分担\n"
            "   あんしんすこやかセンター：母親の介護保険の申請を支援する。\n"
            "   メルクマールせたがや：本人への手紙と訪問を続ける。\n"
            "3. 次回：1か月後に状況を確認する。"
        ),
    )
    for text, owner, days in (
        ("母親の介護保険の申請を支援する", users["anshin"], 7),
        ("本人に手紙を出し、訪問の約束をとる", worker, 3),
    ):
        decision_add(
            user=users["supervisor"],
            meeting=meeting,
            text=text,
            case=case,
            owner=owner,
            due_on=when.business_days_ahead(days),
        )
    decision_add(
        user=users["supervisor"],
        meeting=meeting,
        text="1か月後に支援会議で状況を確認する",
        case=case,
        owner=None,
        due_on=None,
    )


def council_meeting(run: DemoRun) -> None:
    """A council meeting: the secretariat's, no personal data."""
    users = run.users
    council, _created = meeting_create(
        user=users["secretariat"],
        organiser=_agency("ward-seikatsu-fukushi"),
        kind=MeetingKind.LIAISON_COUNCIL,
        title="ひきこもり支援機関連絡協議会（第3回）",
        held_at=run.when.at(run.when.business_days_ago(15), 14),
        place="世田谷区役所 会議室（架空）",
        agencies=[_agency("link"), _agency("merkmal"), _agency("saposute")],
    )
    meeting_update(
        user=users["secretariat"],
        meeting=council,
        expected_version=council.version,
        title=council.title,
        held_at=council.held_at,
        place=council.place,
        agencies=council.agencies.all(),
        attendees=[users["secretariat"], users["supervisor"], users["desk"]],
        other_attendees="",
        minutes="1. 上半期の相談件数の報告\n2. 居場所の新設について意見交換\n3. 家族向け講座の共同開催を検討する",
    )
