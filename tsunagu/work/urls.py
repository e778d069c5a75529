"""Mounted at ``staff/``: the paths stay where they were (``/staff/``, ``/staff/cases/my-work/``)."""

from django.urls import path

from tsunagu.work import views

app_name = "work"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/my-work/", views.my_work, name="my_work"),
]
