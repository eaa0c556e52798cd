from celery import shared_task

from . import importing


@shared_task
def delete_stale_import_uploads():
    return importing.delete_stale_uploads()
