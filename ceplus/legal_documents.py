"""The legal documents in force, as every request of an approved member checks them.

A member's request asks "are the CGU, CGV and règlement in force the ones this member
accepted?". The answer needs only the documents' ids, never their text, and they change
rarely: the ids are kept in each process for ``IN_FORCE_CACHE_SECONDS``. A version published in
the admin is seen at once by the process that saved it and within that delay by the others (or
when its date of entry into force comes): a member is asked to accept it at most a minute late.
"""

from __future__ import annotations

import time

from ceplus.models import LegalDocument

IN_FORCE_CACHE_SECONDS = 60

# (monotonic time of the read, the ids), per process.
_in_force: tuple[float, tuple[int, ...]] | None = None


def consent_document_ids() -> tuple[int, ...]:
    """The ids of the versions of CGU, CGV and règlement in force, sorted; one small query at
    most every ``IN_FORCE_CACHE_SECONDS`` per process."""
    global _in_force
    now = time.monotonic()
    if _in_force is None or now - _in_force[0] >= IN_FORCE_CACHE_SECONDS:
        ids = LegalDocument.objects.current_ids(LegalDocument.CONSENT_KINDS)
        _in_force = (now, tuple(sorted(ids.values())))
    return _in_force[1]


def forget_documents_in_force() -> None:
    """A version was saved in this process: read the ids again on the next request."""
    global _in_force
    _in_force = None
