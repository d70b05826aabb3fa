import pytest
from django.test import RequestFactory
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from quizzes.auth import request_client
from tests.factories import UserFactory

from .factories import api_client

pytestmark = pytest.mark.django_db


def test_a_request_authenticated_by_api_key_gives_its_client():
    # Given a request whose principal is an API client
    new = api_client()
    request = Request(RequestFactory().get("/"))
    request.user = new.client

    # When a view asks which client calls, then it gets that client
    assert request_client(request) == new.client


def test_a_person_signed_in_by_session_is_not_taken_for_an_api_client():
    # Given a request whose principal is a person, not an API client
    request = Request(RequestFactory().get("/"))
    request.user = UserFactory()

    # When a view asks which client calls, then the request is not authenticated as one
    with pytest.raises(NotAuthenticated):
        request_client(request)
