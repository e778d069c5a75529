from django.urls import path

from tsunagu.work import account

app_name = "account"

urlpatterns = [
    path("password/", account.password_change_view, name="password_change"),
    path("sessions/", account.sessions_view, name="sessions"),
    path("sessions/<int:pk>/end/", account.session_end_view, name="session_end"),
    path("sessions/end-others/", account.sessions_end_others_view, name="sessions_end_others"),
]
