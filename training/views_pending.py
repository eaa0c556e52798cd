"""Placeholder for course pages under construction on other branches (removed when merged)."""

from django.http import Http404


def pending(request, *args, **kwargs):
    raise Http404()
