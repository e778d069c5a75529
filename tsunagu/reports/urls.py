from django.urls import path

from tsunagu.reports import estimate_views, list_exports, snapshot_views, views

app_name = "reports"

# The fixed paths come before the sections' ``<slug:section>/``.
urlpatterns = [
    path("", views.index, name="index"),
    path("estimates/", estimate_views.estimates, name="estimates"),
    path("estimates/<int:pk>/", estimate_views.estimate_edit, name="estimate_edit"),
    path("meetings/<int:pk>/", snapshot_views.snapshot_list, name="snapshots"),
    path("snapshots/<int:pk>/", snapshot_views.snapshot_detail, name="snapshot"),
    # Lists with personal data (issue 13 item 5): only what the user may see, recorded as exports.
    path("lists/cases.csv", list_exports.cases_csv, name="cases_csv"),
    path("lists/cases.xlsx", list_exports.cases_xlsx, name="cases_xlsx"),
    path("lists/meetings/<int:pk>/cases.csv", list_exports.meeting_cases_csv, name="meeting_cases_csv"),
    path("lists/meetings/<int:pk>/cases.xlsx", list_exports.meeting_cases_xlsx, name="meeting_cases_xlsx"),
    # Every section the user may open, for the council's yearly papers.
    path("all/print/", views.all_print, name="all_print"),
    path("all/report.xlsx", views.all_xlsx, name="all_xlsx"),
    path("all/report.csv", views.all_csv, name="all_csv"),
    path("<slug:section>/", views.section, name="section"),
    path("<slug:section>/print/", views.print_view, name="print"),
    path("<slug:section>/report.xlsx", views.xlsx, name="xlsx"),
    path("<slug:section>/report.csv", views.csv, name="csv"),
    path("<slug:section>/snapshot/", snapshot_views.snapshot_create, name="snapshot_create"),
]
