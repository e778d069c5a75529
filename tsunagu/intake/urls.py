from django.urls import path

from tsunagu.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("consultations/new/", views.consultation_create, name="create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="detail"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="edit"),
    path("consultations/<int:pk>/triage/", views.triage, name="triage"),
]
