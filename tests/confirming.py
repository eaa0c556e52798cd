"""The confirmation step every destructive action goes through (toolkit.confirm)."""

# What the confirmation page's form posts along with its button.
CONFIRMED = {"confirmed": "yes"}


def assert_asks_first(response):
    """The response is the confirmation page: a question and a form that posts the answer."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'name="confirmed" value="yes"' in html
    assert 'method="post"' in html
    return html
