from django.urls import path

from tsunagu.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/<int:pk>/review/", views.emergency_review, name="emergency_review"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/retention-hold/", views.retention_hold, name="retention_hold"),
    path("<int:pk>/retention-hold/<int:hold_pk>/lift/", views.retention_hold_lift, name="retention_hold_lift"),
    path("<int:pk>/lead-worker/", views.case_lead_worker, name="lead_worker"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/team/add/", views.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/end/", views.team_end, name="team_end"),
    path("<int:pk>/team/handoff/", views.handoff, name="handoff"),
    path("<int:pk>/consents/", views.consents, name="consents"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/persons/<int:person_pk>/stage/", views.person_stage, name="stage"),
]
