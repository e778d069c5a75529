from django.urls import path

from tsunagu.reports import list_exports

app_name = "reports"

urlpatterns: list = [
    # Lists with personal data (issue 13 item 5): only what the user may see, recorded as exports.
    path("lists/cases.csv", list_exports.cases_csv, name="cases_csv"),
    path("lists/cases.xlsx", list_exports.cases_xlsx, name="cases_xlsx"),
    path("lists/meetings/<int:pk>/cases.csv", list_exports.meeting_cases_csv, name="meeting_cases_csv"),
    path("lists/meetings/<int:pk>/cases.xlsx", list_exports.meeting_cases_xlsx, name="meeting_cases_xlsx"),
]
