from django.urls import path

from tsunagu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:section>/", views.section, name="section"),
    path("<slug:section>/print/", views.print_view, name="print"),
    path("<slug:section>/report.xlsx", views.xlsx, name="xlsx"),
    path("<slug:section>/report.csv", views.csv, name="csv"),
]
