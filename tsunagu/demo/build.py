"""The demo ward, built subject by subject: households and consultations, cases and records (with
plans and assessments), emergency access, referrals and meetings, and the network around the cases
(places, family association, programmes, events, training, supervision) and the council's
statistics."""

from tsunagu.agencies.models import Agency, District
from tsunagu.demo.cases import support
from tsunagu.demo.coordination import coordination
from tsunagu.demo.emergency import emergency_waiting_for_review
from tsunagu.demo.households import fresh_consultations, household_and_consultation, triage
from tsunagu.demo.network import network
from tsunagu.demo.run import DemoRun
from tsunagu.demo.statistics import statistics
from tsunagu.intake.models import Screening


def build(run: DemoRun, *, households: int) -> int:
    """Invent ``households`` households with their consultations, and what followed; returns the
    number of consultations."""
    _households(run, households)
    fresh = fresh_consultations(run)
    emergency_waiting_for_review(run)
    coordination(run)
    network(run)
    statistics(run)
    return households + fresh


def _households(run: DemoRun, households: int) -> None:
    """One consultation per household; four in five triaged (a case, information only or a
    referral elsewhere), the fifth left in the queue; a case led by メルクマール (up to 39) or
    ぷらっとホーム, then supported."""
    districts = list(District.objects.select_related("area"))
    link = Agency.objects.get(code="link")
    merkmal = Agency.objects.get(code="merkmal")
    for i in range(households):
        made = household_and_consultation(run, i, districts)
        outcome = i % 5
        if outcome == 4:
            continue  # waits in the queue
        screening = [Screening.CONTINUE, Screening.CONTINUE, Screening.INFO_ONLY, Screening.REFER][outcome]
        lead = merkmal if made.child_age <= 39 else link
        consultation = triage(
            run,
            made.consultation,
            screening=screening,
            household=made.household,
            person=made.child,
            lead=lead,
            parent_age=made.parent_age,
        )
        if consultation.case is not None:
            worker = run.users["caseworker"] if lead == merkmal else run.users["link-worker"]
            support(run, consultation.case, worker, made.child, made.received, i)
