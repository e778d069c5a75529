"""Benchmark person search (docs/quality.md P1) on PostgreSQL with a synthetic population.

    python manage.py bench_person_search --persons 1000000

Fills the database with invented persons when it has fewer than asked (set-based SQL, so a
million takes minutes, not hours), then times ``person_search`` for a desk user over a fixed mix
of queries and prints p50/p95 next to the budget. Run it against a scratch database only.
"""

import platform
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.demo.population.names import FAMILY, GIVEN
from tsunagu.people.models import Person
from tsunagu.people.selectors import person_search

# Common and rare surnames, alone and with a given name, in kanji, hiragana and katakana.
QUERIES = [
    "山山",
    "山山 花子",
    "やまやま はなこ",
    "ヤマヤマハナコ",
    "山田 一郎",
    "長長",
    "ナガナガ ユイ",
    "森林 恵子",
    "中村陽子",
    "ひがしきた",
]
BUDGET_MS = 50


class Command(BaseCommand):
    help = "人の検索の性能を測ります（PostgreSQL、合成データ）。本番のデータベースでは実行しないでください。"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, persons: int, repeat: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("このベンチマークは PostgreSQL で実行してください（DATABASE_URL）。")
        started = time.perf_counter()
        added = self._populate(persons)
        if added:
            with connection.cursor() as cursor:  # as autovacuum would, before anybody searches
                tables = "people_person, people_personnamekey, people_household"
                # VACUUM cannot run inside a transaction (the test suite runs this in one).
                cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM ANALYZE {tables}")
        fill_seconds = time.perf_counter() - started
        user = self._desk_user()
        timings: list[float] = []
        for _ in range(repeat):
            for q in QUERIES:
                with transaction.atomic():
                    t0 = time.perf_counter()
                    person_search(user=user, q=q)
                    timings.append((time.perf_counter() - t0) * 1000)
                    transaction.set_rollback(True)  # keep the audit events of the benchmark out
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        self.stdout.write(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
        self.stdout.write(f"persons: {Person.objects.count():,} (added {added:,} in {fill_seconds:.1f} s)")
        self.stdout.write(f"queries: {len(timings)} ({len(QUERIES)} kinds x {repeat})")
        self.stdout.write(f"P1 person search: p50 {p50:.1f} ms, p95 {p95:.1f} ms (budget p95 <= {BUDGET_MS} ms)")

    def _desk_user(self):
        user, _ = get_user_model().objects.get_or_create(username="bench-desk")
        agency = Agency.objects.filter(is_central_desk=True).first()
        if agency is None:
            raise CommandError("先に load_reference で参照データを読み込んでください。")
        Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": Role.DESK})
        return user

    @transaction.atomic
    def _populate(self, wanted: int) -> int:
        missing = wanted - Person.objects.count()
        if missing <= 0:
            return 0
        households = (missing + 1) // 2
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO people_household (created_at, updated_at, version, label, postal_code, address, phone,
                    district_id, sig_elderly_parent, sig_adult_child_home, sig_parent_pension, sig_care_need,
                    sig_arrears, sig_refuses_services)
                SELECT now(), now(), 1, 'bench', '', '', '',
                    (SELECT id FROM agencies_district ORDER BY id OFFSET (g %% 28) LIMIT 1),
                    false, false, false, false, false, false
                FROM generate_series(1, %s) AS g
                RETURNING id
                """,
                [households],
            )
            first_household = min(row[0] for row in cursor.fetchall())
            cursor.execute(
                """
                WITH f AS (SELECT i - 1 AS i, name, kana
                           FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(name, kana, i)),
                     g AS (SELECT i - 1 AS i, name, kana
                           FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(name, kana, i)),
                     s AS (SELECT n, floor(power(random(), 1.5) * %s)::int AS fi, floor(random() * %s)::int AS gi
                           FROM generate_series(0, %s - 1) AS n)
                INSERT INTO people_person (created_at, updated_at, version, household_id, family_name, given_name,
                    family_name_kana, given_name_kana, label, sex, birth_date, relation, is_concerned, disability,
                    phone, key_name, key_kana)
                SELECT now(), now(), 1, %s + s.n / 2, f.name, g.name, f.kana, g.kana, '', 'unknown',
                    date '1940-01-01' + (random() * 25000)::int, 'unknown', false, 'unknown', '',
                    f.name || g.name, f.kana || g.kana
                FROM s JOIN f ON f.i = s.fi JOIN g ON g.i = s.gi
                """,
                [
                    [n for n, _ in FAMILY],
                    [k for _, k in FAMILY],
                    [n for n, _ in GIVEN],
                    [k for _, k in GIVEN],
                    len(FAMILY),
                    len(GIVEN),
                    missing,
                    first_household,
                ],
            )
            cursor.execute(
                """
                INSERT INTO people_personnamekey (person_id, key)
                SELECT id, k FROM people_person p
                CROSS JOIN LATERAL (VALUES (family_name), (given_name), (family_name_kana), (given_name_kana),
                                           (key_name), (key_kana)) AS keys(k)
                WHERE p.id NOT IN (SELECT person_id FROM people_personnamekey) AND k <> ''
                ON CONFLICT DO NOTHING
                """
            )
        return missing
