from django.urls import path

from tsunagu.places import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("new/", views.place_new, name="new"),
    path("<int:pk>/", views.place_detail, name="detail"),
    path("<int:pk>/edit/", views.place_edit, name="edit"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/counts/", views.session_counts, name="session_counts"),
    path("sessions/<int:pk>/needs/", views.session_needs, name="session_needs"),
    path("sessions/<int:pk>/named/", views.named_add, name="named_add"),
    path("named/<int:pk>/remove/", views.named_remove, name="named_remove"),
    path("cases/<int:case_pk>/enrolments/", views.enrolment_list, name="enrolments"),
    path("cases/<int:case_pk>/enrolments/new/", views.enrolment_new, name="enrolment_new"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
]
