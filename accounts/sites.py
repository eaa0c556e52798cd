"""The portal's name and host, as django.contrib.sites and every mail should tell them.

django.contrib.sites starts with a record named "example.com", and allauth's mails greet
and sign with that record: a villager's first mail from the portal would then look like
phishing. SITE_URL is the one source of the host; the Sites record is set from it by a
data migration and again after every `migrate` (scripts/run and deploys run it), so a
changed SITE_URL reaches the database without anyone editing it in the admin.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# Stored untranslated (one record serves every reader); mails translate it for theirs.
PORTAL_NAME = gettext_noop("Nakhon Ceramic")


def site_domain() -> str:
    """The host (with its port, if any) of SITE_URL."""
    return urlsplit(settings.SITE_URL).netloc


def sync_site(*, site_model, using="default"):
    """Give the current Sites record the portal's name and SITE_URL's host."""
    site_model.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"name": PORTAL_NAME, "domain": site_domain()}
    )
    # get_current_site() caches the record per process.
    from django.contrib.sites.models import SITE_CACHE

    SITE_CACHE.clear()


def sync_site_after_migrate(*, using="default", apps=None, **kwargs):
    """post_migrate receiver: runs on every `manage.py migrate`, tests' databases included."""
    from django.contrib.sites.models import Site

    if apps is None:
        site_model = Site
    else:
        try:
            site_model = apps.get_model("sites", "Site")
        except LookupError:  # sites' migrations are not applied (yet) in this plan
            return
    sync_site(site_model=site_model, using=using)


def portal_site():
    """The site as a mail names it: the portal's name in the active language, SITE_URL's host.

    Built from the configuration rather than read from the database, so a mail is right
    even before `migrate` has synchronised the record.
    """
    from django.contrib.sites.models import Site

    return Site(id=settings.SITE_ID, name=gettext(PORTAL_NAME), domain=site_domain())
