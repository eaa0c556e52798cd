"""Report jobs in the browser: ask for one, watch it being built, download it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from toolkit.db.reads import writes_on_get
from toolkit.decorators import role_required

from . import services
from .filters import ReportFilters
from .forms import ReportRequestForm
from .models import JobStatus, ReportJob
from .rules import may_download, reports_for

# Who may use the reports pages; what each may ask for is the report's own rule.
REPORT_ROLES = (Role.OFFICER, Role.CENTRE_STAFF, Role.FACULTY)
JOBS_PER_PAGE = 25


def _jobs_for(user):
    return ReportJob.objects.visible_to(user).select_related("requested_by")


@role_required(*REPORT_ROLES)
@require_GET
def job_list(request):
    jobs = _jobs_for(request.user)
    mine = request.GET.get("mine") == "1" or request.user.role != Role.OFFICER
    if mine:
        jobs = jobs.asked_by(request.user)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/job_list.html",
        {
            "page_obj": page,
            "mine": mine,
            "reports": reports_for(request.user),
        },
    )


@role_required(*REPORT_ROLES)
def job_create(request):
    if not reports_for(request.user):
        raise Http404
    form = ReportRequestForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            job, created = services.request_report(
                report=form.chosen_report.slug,
                fmt=form.cleaned_data["format"],
                filters=form.filters(),
                by=request.user,
            )
        except services.ReportRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if created:
                messages.success(
                    request, _("Your report is queued. You will be told when it is ready.")
                )
            else:
                messages.info(
                    request,
                    _(
                        "The same report is already being built: you will be told when it "
                        "is ready too."
                    ),
                )
            return redirect(job)
    report_choices = [
        (slug, report, [str(form.fields[name].label) for name in report.filters])
        for slug, report in form.reports.items()
    ]
    return render(
        request, "reports/job_form.html", {"form": form, "report_choices": report_choices}
    )


def _job_context(request, job):
    filters = ReportFilters.from_json(job.filters)
    downloads, download_count = None, 0
    if job.personal_data:
        # Officers and the asker see who downloaded; someone who joined sees their own.
        logged = job.downloads.all()
        if request.user.role != Role.OFFICER and job.requested_by_id != request.user.pk:
            logged = logged.filter(user=request.user)
        downloads = list(logged.select_related("user")[:50])
        download_count = logged.count()
    return {
        "job": job,
        "filters": describe_filters(filters),
        "may_download": job.status == JobStatus.DONE and may_download(request.user, job),
        "downloads": downloads,
        "download_count": download_count,
    }


@role_required(*REPORT_ROLES)
@require_GET
def job_detail(request, pk):
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    return render(request, "reports/job_detail.html", _job_context(request, job))


@role_required(*REPORT_ROLES)
@require_GET
def job_progress(request, pk):
    """The progress part of the job page, which htmx polls while the job is pending."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    context = _job_context(request, job)
    # The last answer also brings the bell's count up to date: the asker was just told.
    context["update_bell"] = not job.is_pending
    response = render(request, "reports/_job_status.html", context)
    if not job.is_pending:
        # htmx stops polling on 286; the fragment it gets last carries the download link.
        response.status_code = 286
    return response


@writes_on_get  # records the download of a personal report
@role_required(*REPORT_ROLES)
@require_GET
def job_download(request, pk):
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    try:
        services.record_download(job=job, by=request.user)
    except services.ReportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(job)
    try:
        handle = services.file_storage().open(job.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=job.filename)


@role_required(*REPORT_ROLES)
@require_POST
def job_again(request, pk):
    """Ask again for a failed or deleted report, with the same filters and format."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        again, _created = services.request_report(
            report=job.report,
            fmt=job.format,
            filters=ReportFilters.from_json(job.filters),
            by=request.user,
        )
    except services.ReportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(job)
    messages.success(request, _("Your report is queued. You will be told when it is ready."))
    return redirect(again)


def describe_filters(filters: ReportFilters) -> list[tuple[str, str]]:
    """(label, value) of each filter a job was built with, names in the reader's language."""
    from entrepreneurs.models import District, EnterpriseKind, Province, VerificationStatus
    from products.models import UpgradeArea, UpgradeStage
    from programmes.models import EnrolmentStatus, Intake, Programme
    from toolkit.thaidates import format_date, format_fiscal_year

    described = []
    if filters.programme:
        programme = Programme.objects.filter(pk=filters.programme).first()
        described.append((_("Programme"), programme.title if programme else "—"))
    if filters.intake:
        intake = Intake.objects.filter(pk=filters.intake).first()
        described.append((_("Intake"), intake.name if intake else "—"))
    if filters.fiscal_year:
        described.append((_("Fiscal year"), format_fiscal_year(filters.fiscal_year)))
    if filters.province:
        province = Province.objects.filter(pk=filters.province).first()
        described.append((_("Province"), province.name if province else filters.province))
    if filters.district:
        district = District.objects.filter(pk=filters.district).first()
        described.append((_("District"), district.name if district else filters.district))
    if filters.date_from:
        described.append((_("From"), format_date(filters.date_from)))
    if filters.date_to:
        described.append((_("Until"), format_date(filters.date_to)))
    for name, label, choices in (
        ("state", _("Application state"), EnrolmentStatus.choices),
        ("kind", _("Enterprise kind"), EnterpriseKind.choices),
        ("verification", _("Verification"), VerificationStatus.choices),
        ("area", _("Upgrade area"), UpgradeArea.choices),
        ("stage", _("Upgrade stage"), UpgradeStage.choices),
    ):
        value = getattr(filters, name)
        if value:
            described.append((label, str(dict(choices).get(value, value))))
    return described
