from django.urls import path

from tsunagu.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("my-work/", views.my_work, name="my_work"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/<int:pk>/review/", views.emergency_review, name="emergency_review"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/lead-worker/", views.case_lead_worker, name="lead_worker"),
    path("<int:pk>/persons/<int:person_pk>/stage/", views.person_stage, name="stage"),
]
