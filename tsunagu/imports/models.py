"""Imports of a ward's Excel ledgers (issue 14 item 1, decision 0038).

An :class:`ImportBatch` is one uploaded file of one kind: who, when, which file (name, size,
SHA-256), how many rows, where it stands, and who undid it. :class:`ImportedObject` lists every
row the batch wrote, with the ledger's own number, so that a later file can refer to it (a case to
its household, a record to its case) and an undo deletes exactly those rows. :class:`ImportProblem`
is one bad cell or row found by the dry run, with its line and column.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERSONS = "persons", _("世帯と人")
    CONSULTATIONS = "consultations", _("相談受付台帳")
    CASES = "cases", _("支援ケース一覧")
    RECORDS = "records", _("支援経過記録")


class Status(models.TextChoices):
    MAPPING = "mapping", _("見出しの対応づけ待ち")
    CHECKING = "checking", _("確認中")
    INVALID = "invalid", _("誤りあり")
    VALID = "valid", _("取り込みできます")
    IMPORTING = "importing", _("取り込み中")
    IMPORTED = "imported", _("取り込み済み")
    FAILED = "failed", _("失敗")
    UNDONE = "undone", _("取り消し済み")
    DISCARDED = "discarded", _("破棄")


# States in which the batch still holds the uploaded file.
OPEN_STATES = (Status.MAPPING, Status.CHECKING, Status.INVALID, Status.VALID, Status.FAILED)


class ImportBatch(models.Model):
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("取り込んだ職員")
    )
    created_at = models.DateTimeField(_("アップロード日時"), auto_now_add=True)
    file_name = models.CharField(_("ファイル名"), max_length=200)
    file_size = models.PositiveIntegerField(_("ファイルの大きさ"))
    sha256 = models.CharField(_("チェックサム（SHA-256）"), max_length=64, db_index=True)
    # The uploaded file while it is being checked; emptied once imported or discarded (the checksum
    # stays), so that personal data is not kept twice.
    content = models.BinaryField(null=True, editable=False)
    headings = models.JSONField(_("ファイルの見出し"), default=list)
    mapping = models.JSONField(_("見出しの対応"), default=dict)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.MAPPING)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    problem_count = models.PositiveIntegerField(_("誤りの数"), default=0)
    rows_written = models.PositiveIntegerField(_("取り込んだ行数"), default=0)
    started_at = models.DateTimeField(_("処理の開始日時"), null=True, blank=True)
    checked_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    check_seconds = models.FloatField(_("確認にかかった秒数"), null=True, blank=True)
    imported_at = models.DateTimeField(_("取り込み日時"), null=True, blank=True)
    import_seconds = models.FloatField(_("取り込みにかかった秒数"), null=True, blank=True)
    undone_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("取り消した職員"),
    )
    failure = models.CharField(_("失敗の理由"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("取り込み")
        verbose_name_plural = _("取り込み")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class ImportedObject(models.Model):
    """One row an import wrote (a household, person, consultation, case, team row, timeline line
    or progress record), with the ledger's number for the kinds that have one."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="objects_written")
    model = models.CharField(max_length=40)  # app_label.model
    object_id = models.BigIntegerField()
    ref = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["model", "ref"], name="importedobject_ref"),
            models.Index(fields=["batch", "model"], name="importedobject_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"


class ImportProblem(models.Model):
    """A bad value or row of a checked file: its line in the sheet, its column and why."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(_("行"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    message = models.CharField(_("理由"), max_length=300)

    class Meta:
        ordering = ["line", "pk"]
        verbose_name = _("取り込みの誤り")
        verbose_name_plural = _("取り込みの誤り")

    def __str__(self) -> str:
        return f"{self.line} {self.column} {self.message}"
