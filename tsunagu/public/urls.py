from django.urls import path

from tsunagu.public import views

app_name = "public"
urlpatterns = [
    path("", views.where_to_consult, name="where"),
    path("consult/", views.request_form, name="request"),
]
