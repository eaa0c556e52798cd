import factory
from allauth.account.models import EmailAddress

from accounts.models import Role, User

DEFAULT_PASSWORD = "clay-and-glaze-2569"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"สมชาย ใจดี {n}")
    role = Role.ENTREPRENEUR
    language = "th"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Give the user a verified primary address, as allauth would after confirmation."""
        if not create:
            return
        obj.save()
        if extracted is False:
            return
        EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
