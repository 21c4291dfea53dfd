"""The structures' workplace in the admin: the validation queue of members and the decisions,
the structures with their invitations, the import of a structure's members, and the record of
changes.

Every admin here is a ``ScopedAdmin``: a manager sees the objects of the structures they manage
and nothing else (``structures.scoping``); CE+ Services staff see everything. Every change goes
through a service (``structures.services``, ``accounts.services``, ``beneficiaries.services``).
"""

from structures.admin import decisions, invitations, members, partner_services, structure  # noqa: F401 (registers them)
