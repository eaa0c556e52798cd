"""Report jobs: a report asked for with its filters and format, built by a Celery worker.

A job moves `queued → running → done | failed`, and `done → expired` when its file is
deleted after REPORT_RETENTION_DAYS. The worker that runs a job holds it by `run_token`:
a retry or the sweep hands the job to a new token, and a worker whose token is gone stops
writing and never moves its file into place (services.run_report).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class ReportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", "PDF"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted after the retention period")


# A job in these states is still coming: an identical request joins it.
PENDING_STATES = (JobStatus.QUEUED, JobStatus.RUNNING)


class FailureReason(models.TextChoices):
    """Why a job failed, stored as a code so each reader sees it in their own language."""

    FORBIDDEN = "forbidden", _("The person who asked may no longer build this report.")
    TOO_MANY_ROWS = (
        "too_many_rows",
        _(
            "The report has more rows than one Excel sheet holds: "
            "choose CSV, or narrow the filters."
        ),
    )
    INTERRUPTED = (
        "interrupted",
        _("The report was interrupted too many times (the worker stopped while building it)."),
    )
    STALLED = "stalled", _("The worker building the report stopped answering.")
    ERROR = "error", _("The report could not be built because of an error on the server.")


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officers see every job; anyone else the jobs they asked for."""
        if user.is_authenticated and user.role == "officer":
            return self
        if not user.is_authenticated:
            return self.none()
        return self.asked_by(user)

    def asked_by(self, user):
        """The jobs this person asked for, including those they joined by asking for the
        same report while it was pending (services.request_report makes them subscribers)."""
        joined = self.model.subscribers.through.objects.filter(user=user).values("reportjob")
        return self.filter(Q(requested_by=user) | Q(pk__in=joined))

    def pending(self):
        return self.filter(status__in=PENDING_STATES)

    def ready(self):
        return self.filter(status=JobStatus.DONE)


def report_path(job, filename):
    return f"reports/{job.pk}/{filename}"


class ReportJob(models.Model):
    report = models.CharField(_("report"), max_length=40)
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The report, format and filters in one string: identical requests share one job.
    request_key = models.CharField(max_length=64, editable=False)
    language = models.CharField(_("language"), max_length=10, default="th")
    personal_data = models.BooleanField(_("holds personal data"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    # Everyone who asked for this job while it was pending is told when it is ready.
    subscribers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written by the worker as it goes; the job page polls them.
    rows_expected = models.PositiveBigIntegerField(null=True, blank=True)
    rows_written = models.PositiveBigIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run_token = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_path, storage=private_storage, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    failure = models.CharField(
        _("reason"), max_length=20, choices=FailureReason.choices, blank=True
    )

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            # Two identical requests at the same moment cannot both start a job.
            models.UniqueConstraint(
                fields=["request_key"],
                condition=Q(status__in=PENDING_STATES),
                name="report_job_one_pending_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="report_job_mine_idx"),
            models.Index(fields=["status", "expires_at"], name="report_job_status_idx"),
            models.Index(fields=["-requested_at", "-id"], name="report_job_recent_idx"),
        ]

    def __str__(self):
        return f"{self.report} ({self.format}) #{self.pk}"

    def get_absolute_url(self):
        return reverse("reports:job_detail", args=[self.pk])

    @property
    def definition(self):
        from .registry import REPORTS

        return REPORTS.get(self.report)

    @property
    def title(self):
        definition = self.definition
        return definition.title if definition else self.report

    @property
    def is_pending(self):
        return self.status in PENDING_STATES

    @property
    def percent(self):
        """How far the worker is, 0–100, or None before it knows how many rows will come."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_expected:
            return None
        return min(99, self.rows_written * 100 // self.rows_expected)

    @property
    def filename(self):
        stamp = timezone.localtime(self.finished_at or self.requested_at)
        return f"{self.report}-{stamp:%Y%m%d-%H%M}-{self.pk}.{self.format}"

    def retention(self) -> datetime.timedelta:
        return datetime.timedelta(days=settings.REPORT_RETENTION_DAYS)


class ReportDownload(models.Model):
    """One download of a report that holds personal data: who, when, which job."""

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(_("downloaded at"), default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")

    def __str__(self):
        return f"{self.user} · {self.job} · {self.downloaded_at:%Y-%m-%d %H:%M}"
