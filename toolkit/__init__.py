"""Machinery every app uses and that belongs to none of them.

B.E. dates and the date field, role decorators, the audit log, the confirmation step
before a destructive action, capacity with a first-come waitlist (capacity.Places), Thai
dictionary order (thaisort), Thai text on English pages (templatetags.thaitext) and form
widgets; it imports no app of ours, so any app may import it.
"""
