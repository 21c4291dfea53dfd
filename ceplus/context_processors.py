from django.conf import settings

from ceplus.models import LegalDocument


def operator(request):
    """The operator's legal identity and the footer's documents, on every page."""
    return {
        "operator": settings.OPERATOR,
        "footer_documents": LegalDocument.Kind.choices,
    }
