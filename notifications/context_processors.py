def unread_count(request):
    """Placeholder until the inbox lands."""
    return {}
