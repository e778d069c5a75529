from django.urls import path

from tsunagu.records import views

app_name = "records"
urlpatterns = [
    path("cases/<int:case_pk>/new/", views.record_create, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/correct/", views.record_correct, name="correct"),
]
