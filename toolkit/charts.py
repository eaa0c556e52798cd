"""The data a dashboard chart is drawn from (static/js/dashboard.js reads it)."""


def chart(labels, *series, horizontal=False):
    """What static/js/dashboard.js draws: labels and one or more (label, numbers) series."""
    return {
        "labels": [str(label) for label in labels],
        "datasets": [{"label": str(label), "data": data} for label, data in series],
        "horizontal": horizontal,
    }
