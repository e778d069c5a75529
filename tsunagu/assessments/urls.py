from django.urls import path

from tsunagu.assessments import views

app_name = "assessments"
urlpatterns = [
    path("cases/<int:case_pk>/persons/<int:person_pk>/new/", views.person_new, name="person_new"),
    path("cases/<int:case_pk>/family/new/", views.family_new, name="family_new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("persons/<int:person_pk>/history/", views.person_history, name="history"),
]
