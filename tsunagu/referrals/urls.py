from django.urls import path

from tsunagu.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/<int:case_pk>/", views.referral_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/message/", views.message, name="message"),
    path("<int:pk>/first-met/", views.first_met, name="first_met"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/seen/", views.seen, name="seen"),
]
