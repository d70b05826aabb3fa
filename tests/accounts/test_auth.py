import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.auth import request_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_request_gives_its_account():
    # Given a request a login check let through
    request = RequestFactory().get("/")
    request.user = person = UserFactory()

    # When a view asks who is signed in, then it gets that account
    assert request_user(request) == person


def test_an_anonymous_request_is_refused_not_served_as_somebody():
    # Given a request nobody signed in to (a view that lost its login_required)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    # When a view asks who is signed in, then the request is refused
    with pytest.raises(PermissionDenied):
        request_user(request)
