from django.urls import path

from tsunagu.reports import estimate_views, snapshot_views, views

app_name = "reports"

# The fixed paths come before the sections' ``<slug:section>/``.
urlpatterns = [
    path("", views.index, name="index"),
    path("estimates/", estimate_views.estimates, name="estimates"),
    path("estimates/<int:pk>/", estimate_views.estimate_edit, name="estimate_edit"),
    path("meetings/<int:pk>/", snapshot_views.snapshot_list, name="snapshots"),
    path("snapshots/<int:pk>/", snapshot_views.snapshot_detail, name="snapshot"),
    path("<slug:section>/", views.section, name="section"),
    path("<slug:section>/print/", views.print_view, name="print"),
    path("<slug:section>/report.xlsx", views.xlsx, name="xlsx"),
    path("<slug:section>/report.csv", views.csv, name="csv"),
    path("<slug:section>/snapshot/", snapshot_views.snapshot_create, name="snapshot_create"),
]
