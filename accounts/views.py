from django.shortcuts import render
from django.views.i18n import set_language as django_set_language


def home(request):
    return render(request, "home/landing.html")


def set_language(request):
    return django_set_language(request)
