import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("correct-horse-42")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create:
            for role in extracted or [Role.LEARNER]:
                self.groups.add(Group.objects.get(name=role))
