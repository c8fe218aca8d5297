from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.accounts.forms import LoginForm, TokenForm
from yingji.accounts.models import ApiToken
from yingji.accounts.services import password_change, token_create, token_revoke
from yingji.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:tokens")

    def form_valid(self, form: Any) -> HttpResponse:
        password_change(user=form.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)  # stay logged in on this device
        messages.success(self.request, _("Password changed."))
        return redirect(self.get_success_url())


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            form.add_error("name", str(exc.message))
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=cast(User, request.user))  # login_required: a real user
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": rows, "new_secret": new_secret}
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
