from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from toolkit.decorators import signed_in_required

from . import services
from .models import Notification

PAGE_SIZE = 20


@signed_in_required
def inbox(request):
    notifications = Notification.objects.for_user(request.user).for_inbox()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@require_POST
@signed_in_required
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_read(notification=notification, by=request.user)
    if request.htmx:
        return render(request, "notifications/_mark_read.html", {"n": notification})
    wants_target = request.POST.get("open") or request.GET.get("open")
    if wants_target and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@require_POST
@signed_in_required
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")
