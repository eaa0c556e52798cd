"""A real Celery worker builds the certificate PDFs of a closed run and tells the holders.

Reuses the lab's worker (tests/training/test_worker.py): this test's own queues, the
filesystem broker locally and Redis in CI. The worker writes the PDFs to a private folder
of this test's own, which the test reads back.
"""

import io

import pypdf
import pytest

from notifications.models import Notification
from tests.notifications.test_worker import (  # noqa: F401 (fixtures)
    DELIVERY_TIMEOUT,
    _wait_for,
    live_broker,
    mail_dir,
    worker_dir,
)
from tests.training.test_worker import lab_worker, queues  # noqa: F401 (fixtures)
from training import tasks
from training.models import Certificate

from .factories_certificates import closed_run, people

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def private_root(tmp_path, monkeypatch):
    """Where the worker stores the PDFs (set before the worker starts)."""
    root = tmp_path / "private"
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def certificate_worker(private_root, lab_worker):  # noqa: F811
    return lab_worker


def test_the_worker_builds_the_pdfs_of_a_closed_run(
    certificate_worker,
    queues,  # noqa: F811
    private_root,
    officer_2fa,
):
    holders = people(3, language="th")
    run = closed_run(by=officer_2fa, completing=holders)
    run.queued.assert_called_once_with(run.pk)
    assert Certificate.objects.filter(enrolment__run=run, pdf="").count() == 3

    # Sent to this test's queue by name: the app's own routing (reports) stays as it is.
    tasks.build_certificates.apply_async(args=[run.pk], queue=queues[0])

    def built():
        done = not Certificate.objects.filter(enrolment__run=run, pdf="").exists()
        told = Notification.objects.filter(kind="certificate_ready").count() == 3
        return done and told

    assert _wait_for(built, DELIVERY_TIMEOUT * 2), (
        f"The worker did not build the certificates:\n{certificate_worker.log()[-4000:]}"
    )
    for certificate in Certificate.objects.filter(enrolment__run=run):
        data = (private_root / certificate.pdf.name).read_bytes()
        text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert certificate.number in text
        assert certificate.code in text
        assert "เกียรติบัตร" in text
    # Sent again (a redelivery): nothing is built or told twice.
    names = set(Certificate.objects.values_list("pdf", flat=True))
    tasks.build_certificates.apply_async(args=[run.pk], queue=queues[0])

    def builds_done():
        lines = certificate_worker.log().splitlines()
        return sum("build_certificates" in line and "succeeded" in line for line in lines)

    assert _wait_for(lambda: builds_done() >= 2, DELIVERY_TIMEOUT), certificate_worker.log()
    assert set(Certificate.objects.values_list("pdf", flat=True)) == names
    assert Notification.objects.filter(kind="certificate_ready").count() == 3
