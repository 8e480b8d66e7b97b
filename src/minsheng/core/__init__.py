"""The kernel: money, identifiers, divisions, calendar and errors.

Nothing here imports anything else of Minsheng's, a database or the web.
"""
