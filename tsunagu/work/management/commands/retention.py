from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tsunagu.work.retention import run


class Command(BaseCommand):
    help = (
        "Anonymise the personal data whose retention period has passed (decision 0031). Without --apply a dry "
        "run: reports what would be removed and changes nothing else. Run --apply once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="anonymise (without it: a dry run)")

    def handle(self, *args, **options):
        report = run(apply=options["apply"])
        heading = _("保存期間の処理（実行）") if report.applied else _("保存期間の処理（試行：変更なし）")
        self.stdout.write(heading)
        self.stdout.write(
            _("終結日時がこれより前のケースが対象：{cutoff}").format(cutoff=report.case_cutoff.isoformat())
        )
        self.stdout.write(
            _("受付日時がこれより前の相談が対象：{cutoff}").format(cutoff=report.consultation_cutoff.isoformat())
        )
        for kind, count in report.counts.items():
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(_("対象のケースID：{ids}").format(ids=" ".join(map(str, report.case_ids)) or "-"))
        self.stdout.write(_("対象の相談ID：{ids}").format(ids=" ".join(map(str, report.consultation_ids)) or "-"))
        self.stdout.write(
            _("保存の指示で除いたケースID：{ids}").format(ids=" ".join(map(str, report.held_case_ids)) or "-")
        )
        self.stdout.write(_("報告の番号：{number}").format(number=report.pk))
