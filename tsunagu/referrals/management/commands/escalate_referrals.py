from django.core.management.base import BaseCommand
from django.utils import timezone

from tsunagu.referrals.services import referrals_escalate


class Command(BaseCommand):
    help = (
        "Escalate referrals still unanswered after their due day to the sender's supervisors and the desk. "
        "Run once a day; each referral is escalated once, however often this runs."
    )

    def handle(self, *args, **options):
        count = referrals_escalate(today=timezone.localdate())
        self.stdout.write(f"escalated referrals: {count}")
