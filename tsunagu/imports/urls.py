from django.urls import path

from tsunagu.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/problems.xlsx", views.problems_xlsx, name="problems"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/reupload/", views.reupload, name="reupload"),
]
