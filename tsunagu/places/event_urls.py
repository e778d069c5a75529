from django.urls import path

from tsunagu.places import event_views

app_name = "events"
urlpatterns = [
    path("", event_views.event_list, name="list"),
    path("new/", event_views.event_new, name="new"),
    path("<int:pk>/edit/", event_views.event_edit, name="edit"),
]
