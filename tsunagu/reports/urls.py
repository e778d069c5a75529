from django.urls import path  # noqa: F401  (entries are added by the report views)

app_name = "reports"

urlpatterns: list = []
