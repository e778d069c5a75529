from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tsunagu.core.access import login_only, public

login_view = public(auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True))
logout_view = login_only(require_POST(auth_views.LogoutView.as_view()))
language_view = public(set_language)
