from django.utils.translation import gettext_lazy as _


class ProductError(Exception):
    """A rule of the products app said no; `message` is shown to the person."""

    message = _("This cannot be done.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(ProductError):
    message = _("Your account is not allowed to do this.")


class NotALeafCategory(ProductError):
    message = _("Choose a product type, not only its group.")


class CannotPublish(ProductError):
    message = _("This product cannot be published.")


class PhotoRejected(ProductError):
    message = _("These photos were not saved.")


class TooManyPhotos(ProductError):
    message = _("A product can have at most 8 photos.")


class LastPhoto(ProductError):
    message = _("A published product needs at least one photo. Add another photo first.")


class DocumentRejected(ProductError):
    message = _("This document was not saved.")


class StandardExists(ProductError):
    message = _("A standard of this kind with this reference already exists.")


class PriceNotOffered(ProductError):
    message = _(
        "Only a commercialised upgrade whose price after differs from the product's price "
        "can set the price."
    )
