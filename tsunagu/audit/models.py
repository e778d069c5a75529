from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit trail is never changed or deleted (docs/decisions/0002)."""


class AppendOnlyModel(models.Model):
    """A row of the audit trail: the ORM may insert it, never change or delete it.

    Framework plumbing, not a business rule. The database says the same: on PostgreSQL a trigger
    refuses UPDATE and DELETE, and the application role may only INSERT and SELECT (decision 0009).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Action(models.TextChoices):
    VIEW = "view", _("閲覧")
    LIST = "list", _("一覧")
    SEARCH = "search", _("検索")
    CREATE = "create", _("登録")
    UPDATE = "update", _("更新")
    EXPORT = "export", _("出力")
    SHARE = "share", _("共有")


class AccessEvent(AppendOnlyModel):
    """Who read or changed whose data, when, from where and why.

    Written in the request's own transaction. ``person_ids`` lists every person whose data the
    event touched, so that "whose data did this user (or this export) see?" is one query
    (docs/domain.md §6). On PostgreSQL a trigger makes UPDATE and DELETE fail at the database.
    """

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    # No index of its own: accessevent_user_at (user, at) serves every lookup by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("職員"),
        db_index=False,
    )
    username = models.CharField(_("ユーザー名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("対象の種類"), max_length=40)
    object_ids = models.JSONField(_("対象ID"), default=list)
    person_ids = models.JSONField(_("関係する人のID"), default=list)
    # No index of its own: accessevent_case_reader (case_id, …) serves every lookup by case.
    case_id = models.BigIntegerField(_("ケースID"), null=True, blank=True)
    ip = models.CharField(_("接続元"), max_length=45, blank=True)
    path = models.CharField(_("画面"), max_length=300, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    # Why the user could read it: "team", "desk", "emergency", "referral", "meeting" (the door's
    # basis, see cases.access.Access); blank for writes and for events recorded before it existed.
    basis = models.CharField(_("閲覧の根拠"), max_length=20, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # On PostgreSQL the table is partitioned by month on ``at`` (primary key (id, at)), every
        # index below exists on every partition, and ``person_ids`` has a GIN index
        # (jsonb_path_ops) for "whose data": audit migration 0008, decision 0019.
        indexes = [
            # The audit review: one person's accesses by date.
            models.Index(fields=["user", "at"], name="accessevent_user_at"),
            # "Who viewed this case": each reader (user, basis) with last view and count, read
            # from the index alone (cases' who-viewed page; audit.selectors.case_readers).
            models.Index(
                fields=["case_id", "action", "user", "basis", "at"], name="accessevent_case_reader", include=["id"]
            ),
        ]
        verbose_name = _("アクセス記録")
        verbose_name_plural = _("アクセス記録")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class RoleChangeKind(models.TextChoices):
    GRANT = "grant", _("付与")
    CHANGE = "change", _("変更")
    REVOKE = "revoke", _("削除")
    ACCOUNT = "account", _("アカウントの権限")


class RoleChange(AppendOnlyModel):
    """Who changed whose agency membership, role or account flags, when and from where.

    Written by ``agencies.services`` in the change's own transaction (decision 0009). Append-only
    like ``AccessEvent``: the model refuses updates and deletes, a PostgreSQL trigger refuses them
    at the database, and the application's database role may only INSERT and SELECT. ``before``
    and ``after`` are snapshots (agency name, role, active; or the account flags), so the row
    still reads correctly after the membership or the agency has changed again.
    """

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("変更した人")
    )
    actor_username = models.CharField(_("変更した人のユーザー名"), max_length=150, blank=True)
    # No database constraint: the record outlives a deleted user (the username is kept).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("対象の職員"),
    )
    subject_username = models.CharField(_("対象の職員のユーザー名"), max_length=150)
    kind = models.CharField(_("種類"), max_length=10, choices=RoleChangeKind.choices)
    membership_id = models.BigIntegerField(_("所属ID"), null=True, blank=True)
    before = models.JSONField(_("変更前"), default=dict)
    after = models.JSONField(_("変更後"), default=dict)
    reads_cases = models.BooleanField(_("ケースを読める役割になった"), default=False)
    ip = models.CharField(_("接続元"), max_length=45, blank=True)
    path = models.CharField(_("画面"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("役割の変更記録")
        verbose_name_plural = _("役割の変更記録")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.kind} {self.subject_username}"

    @property
    def states(self) -> tuple[dict, dict]:
        return (self.before, self.after)


class SecurityEventKind(models.TextChoices):
    REFUSED = "refused", _("見られないページへのアクセス")
    EMERGENCY_LIMIT = "emergency_limit", _("緊急アクセスの上限超過")
    SIGN_IN = "sign_in", _("ログイン")
    SIGN_IN_FAILED = "sign_in_failed", _("ログインの失敗")
    LOCKED_OUT = "locked_out", _("ログインの一時停止")
    UNLOCKED = "unlocked", _("ログイン停止の解除")
    SIGN_OUT = "sign_out", _("ログアウト")
    PASSWORD_CHANGED = "password_changed", _("パスワードの変更（本人）")
    SESSION_ENDED = "session_ended", _("ほかの端末のログアウト（本人）")
    SECOND_FACTOR = "second_factor", _("二要素認証")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("二要素認証の失敗")
    FACTOR_ADDED = "factor_added", _("認証手段の登録（本人）")
    FACTOR_REMOVED = "factor_removed", _("認証手段の削除（本人）")
    RECOVERY_CODES = "recovery_codes", _("回復コードの発行（本人）")
    FACTORS_RESET = "factors_reset", _("二要素認証のリセット（管理者）")


class SecurityEvent(AppendOnlyModel):
    """A refused attempt on personal data: who asked for which object, when, from where; and the
    sign-in trail: every sign-in, failed sign-in, lockout, lift of a lockout and sign-out
    (``audit.signin``; ``username`` is the name typed, ``user`` the account when it exists).

    Written outside the request's transaction (``audit.middleware``), because a refused read
    ends in Http404 and ATOMIC_REQUESTS rolls back everything the request wrote. Append-only like
    AccessEvent; on PostgreSQL a trigger refuses UPDATE and DELETE (audit migration 0005).
    Whether the object exists is not recorded: the log answers "who tried", not "what is there".
    """

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("種類"), max_length=20, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("職員")
    )
    username = models.CharField(_("ユーザー名"), max_length=150, blank=True)
    url_name = models.CharField(_("画面の名前"), max_length=100, blank=True)
    object_id = models.BigIntegerField(_("対象ID"), null=True, blank=True)
    arguments = models.JSONField(_("URLの引数"), default=dict)
    method = models.CharField(_("方式"), max_length=10, blank=True)
    status = models.PositiveSmallIntegerField(_("応答"), null=True, blank=True)
    ip = models.CharField(_("接続元"), max_length=45, blank=True)
    path = models.CharField(_("画面"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="securityevent_user_at")]
        verbose_name = _("セキュリティ記録")
        verbose_name_plural = _("セキュリティ記録")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind} {self.url_name}"
