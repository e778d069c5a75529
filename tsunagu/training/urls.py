from django.urls import path

from tsunagu.training import views

app_name = "training"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_new, name="new"),
    path("mine/", views.my_record, name="mine"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
    path("<int:pk>/attendance/", views.attendance_add, name="attendance"),
]
