from django.urls import path

from tsunagu.reports import estimate_views

app_name = "reports"

urlpatterns: list = [
    path("estimates/", estimate_views.estimates, name="estimates"),
    path("estimates/<int:pk>/", estimate_views.estimate_edit, name="estimate_edit"),
]
