from django.urls import path

from tsunagu.plans import views

app_name = "plans"
urlpatterns = [
    path("cases/<int:case_pk>/new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/decide/", views.plan_decide, name="decide"),
    path("<int:pk>/new-version/", views.plan_new_version, name="new_version"),
]
