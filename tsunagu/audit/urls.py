from django.urls import path

from tsunagu.audit import views

app_name = "audit"

urlpatterns = [
    path("roles/", views.role_changes, name="role_changes"),
]
