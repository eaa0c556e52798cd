"""The intake form's provinces: a checkbox list with a filter box, not a Ctrl-click select."""

import re

import pytest
from django.urls import reverse

from programmes.models import Intake
from tests.factories import IntakeFactory, ProgrammeFactory
from tests.programmes.test_manage import intake_data


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def province_boxes(html):
    return re.findall(r'<input type="checkbox"[^>]*name="eligible_provinces"[^>]*>', html)


def test_intake_form_lists_provinces_as_checkboxes_in_a_fieldset(officer_client, programme):
    html = officer_client.get(reverse("programmes:intake_create", args=[programme.pk])).text
    assert '<select name="eligible_provinces"' not in html
    boxes = province_boxes(html)
    assert len(boxes) == 77
    # The programme's home province (Lampang) comes first.
    assert 'value="52"' in boxes[0]
    legend = '<fieldset class="mb-3" aria-describedby="id_eligible_provinces_help">\n  <legend'
    assert legend in html
    # Each box has its own label; the filter box has one; the count is announced.
    assert html.count('<label class="form-check-label" for="id_eligible_provinces_') == 77
    assert '<label class="form-label small mb-1" for="id_eligible_provinces_filter">' in html
    assert 'aria-live="polite" data-chosen-count' in html
    assert "js/filterable-checks.js" in html


def test_filter_box_and_count_have_no_inline_script_or_style(officer_client, programme):
    html = officer_client.get(reverse("programmes:intake_create", args=[programme.pk])).text
    start = html.index("data-filterable-checks")
    widget = html[start : html.index("</fieldset>", start)]
    assert "style=" not in widget
    assert "<script" not in widget
    assert " on" not in re.sub(r'"[^"]*"', '""', widget).replace(" one", "")


def test_saving_several_provinces(officer_client, programme):
    data = intake_data(eligible_provinces=["52", "50", "57"])
    response = officer_client.post(reverse("programmes:intake_create", args=[programme.pk]), data)
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert sorted(p.code for p in intake.eligible_provinces.all()) == ["50", "52", "57"]


def test_editing_shows_the_chosen_provinces_ticked_and_counted(officer_client, officer):
    officer.language = "en"
    officer.save(update_fields=["language"])
    intake = IntakeFactory()
    intake.eligible_provinces.set(["52", "50"])
    html = officer_client.get(reverse("programmes:intake_update", args=[intake.pk])).text
    ticked = [box for box in province_boxes(html) if " checked" in box]
    assert len(ticked) == 2
    assert ">2 chosen</p>" in html


def test_no_province_ticked_means_every_province(officer_client, programme):
    data = intake_data(eligible_provinces=None)
    response = officer_client.post(reverse("programmes:intake_create", args=[programme.pk]), data)
    assert response.status_code == 302
    assert not Intake.objects.get().eligible_provinces.exists()


def test_an_unknown_province_is_refused_with_a_message(officer_client, programme):
    data = intake_data(eligible_provinces=["52", "99"])
    response = officer_client.post(reverse("programmes:intake_create", args=[programme.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["eligible_provinces"]
    assert not Intake.objects.exists()
