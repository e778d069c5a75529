"""Demo emergency access: a caseworker of メルクマール broke the glass on a case led by
ぷらっとホーム, waiting for a supervisor's review."""

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case
from tsunagu.cases.services import emergency_open
from tsunagu.demo.run import DemoRun


def emergency_waiting_for_review(run: DemoRun) -> None:
    link, merkmal = Agency.objects.get(code="link"), Agency.objects.get(code="merkmal")
    other = Case.objects.filter(team__agency=link, team__role="lead").exclude(team__agency=merkmal).first()
    if other is not None:
        emergency_open(
            user=run.users["caseworker"],
            case=other,
            reason="夜間に本人の母親から、本人が自傷をほのめかしているとの電話。主担当機関に連絡がつかないため。",
        )
