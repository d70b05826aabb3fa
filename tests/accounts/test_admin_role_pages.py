"""Roles as staff read them in the admin: the user list shows and filters each person's
roles in Chinese (in a fixed number of queries), the user's page has a section of its own
for them, and groups and their permissions read in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(username="gongzuo", roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    client.force_login(user)
    return user


def test_the_user_list_shows_and_filters_roles_in_chinese(client, staff):
    UserFactory(username="zhiyuan", roles=[Role.LEARNER, Role.VOLUNTEER])
    UserFactory(username="xueyuan", roles=[Role.LEARNER])
    url = reverse("admin:accounts_user_changelist")

    page = client.get(url).content.decode()
    assert "学员、志愿者" in page
    assert "角色" in page  # the filter's title

    volunteers = client.get(url, {"role": "volunteer"})
    shown = {user.username for user in volunteers.context["cl"].result_list}
    assert shown == {"zhiyuan"}


def test_the_user_list_costs_the_same_queries_for_one_user_or_many(
    client, staff, django_assert_max_num_queries
):
    url = reverse("admin:accounts_user_changelist")
    client.get(url)  # warm the caches of content types and sessions
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(6):
        UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])
    with django_assert_max_num_queries(len(one)):
        client.get(url)


def test_the_users_page_gives_roles_a_section_of_its_own_that_says_it_is_audited(client, staff):
    learner = UserFactory(roles=[Role.LEARNER])

    page = client.get(reverse("admin:accounts_user_change", args=[learner.pk]))

    names = [name for name, _options in page.context["adminform"].form.fields.items()]
    assert "roles" in names
    fieldsets = [str(fieldset.name) for fieldset in page.context["adminform"]]
    assert fieldsets[1] == "角色"
    assert "每次授予或撤销角色都会记入审计日志" in page.content.decode()


def test_groups_and_their_permissions_read_in_chinese(client):
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True, is_superuser=True))
    editors = Group.objects.get(name=Role.EDITOR)

    listing = client.get(reverse("admin:auth_group_changelist")).content.decode()
    page = client.get(reverse("admin:auth_group_change", args=[editors.pk])).content.decode()

    assert "内容编辑" in listing and ">editor<" not in listing
    assert "可以增加课程" in page and "Can add course" not in page
    assert "可以编写和发布课程与题目" in page and "Can write and publish" not in page
