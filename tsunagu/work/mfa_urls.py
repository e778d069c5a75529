from django.urls import path

from tsunagu.work import mfa, mfa_webauthn

app_name = "mfa"

urlpatterns = [
    path("", mfa.verify_view, name="verify"),
    path("enrol/", mfa.enrol_view, name="enrol"),
    path("factors/", mfa.factors_view, name="factors"),
    path("factors/app/<int:pk>/remove/", mfa.factor_remove_view, {"kind": "app"}, name="app_remove"),
    path("factors/key/<int:pk>/remove/", mfa.factor_remove_view, {"kind": "security_key"}, name="key_remove"),
    path("recovery-codes/", mfa.recovery_codes_view, name="recovery_codes"),
    # Security keys and Windows Hello (WebAuthn): the package's JSON endpoints behind our doors.
    path("key/register/begin/", mfa_webauthn.key_register_begin_view, name="key_register_begin"),
    path("key/register/complete/", mfa_webauthn.key_register_complete_view, name="key_register_complete"),
    path("key/register/done/", mfa_webauthn.key_registered_view, name="key_registered"),
    path("key/verify/begin/", mfa_webauthn.key_auth_begin_view, name="key_auth_begin"),
    path("key/verify/complete/", mfa_webauthn.key_auth_complete_view, name="key_auth_complete"),
]
