from django.urls import path

from tsunagu.audit import views

app_name = "audit"

urlpatterns = [
    path("roles/", views.role_changes, name="role_changes"),
    path("review/", views.audit_review, name="review"),
    path("review/export.csv", views.audit_review_export, name="review_export"),
]
