from django.urls import path

from tsunagu.audit import security_views

app_name = "security"
urlpatterns = [path("", security_views.security_log, name="log")]
