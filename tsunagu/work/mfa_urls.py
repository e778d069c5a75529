from django.urls import path

from tsunagu.work import mfa

app_name = "mfa"

urlpatterns = [
    path("", mfa.verify_view, name="verify"),
    path("enrol/", mfa.enrol_view, name="enrol"),
    path("factors/", mfa.factors_view, name="factors"),
    path("factors/app/<int:pk>/remove/", mfa.factor_remove_view, {"kind": "app"}, name="app_remove"),
    path("factors/key/<int:pk>/remove/", mfa.factor_remove_view, {"kind": "security_key"}, name="key_remove"),
    path("recovery-codes/", mfa.recovery_codes_view, name="recovery_codes"),
]
