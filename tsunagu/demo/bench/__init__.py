"""The HTTP benchmark (``manage.py bench_http``): targets found in the database, the app server it
starts, the sequential per-page timing, the locust workload and the report against the budgets."""
