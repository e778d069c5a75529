from django.urls import path

from tsunagu.public import directory_views, views

app_name = "public"
urlpatterns = [
    path("", views.where_to_consult, name="where"),
    path("consult/", views.request_form, name="request"),
    path("places/", directory_views.directory, name="directory"),
    path("places/<int:pk>/", directory_views.place_detail, name="place"),
    path("events/", directory_views.event_list, name="events"),
    path("events/<int:pk>/", directory_views.event_detail, name="event"),
    path("events.ics", directory_views.events_ics, name="events_ics"),
]
