"""Mounted at ``staff/people/`` before the people app's own URLs: the disclosure of a person
lives beside the person's page, but gathers from every app, so it is on the top floor."""

from django.urls import path

from tsunagu.work import disclosure_views

app_name = "disclosure"
urlpatterns = [
    path("persons/<int:pk>/disclosure/", disclosure_views.disclosure, name="person"),
]
