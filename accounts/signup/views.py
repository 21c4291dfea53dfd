"""The signup wizard's pages: the invitation link, CRÉER UN COMPTE, the four steps and the
confirmation."""

from collections.abc import Callable
from functools import wraps

from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from accounts.adapter import client_ip
from accounts.selectors import job_title_search
from accounts.signup.forms import (
    MAX_BENEFICIARIES,
    InvitationCodeForm,
    SignupAccountForm,
    SignupAddressForm,
    SignupBeneficiaryFormSet,
    SignupConsentForm,
)
from accounts.signup.services import RegistrationRefused, registration_submit
from accounts.signup.state import SENT_KEY, STEPS, SignupWizard, WizardStateInvalid, step_by_key, to_session
from beneficiaries.entitlement import proof_needs
from beneficiaries.forms import OptionalProofForm
from beneficiaries.models import ProofFile, Relationship
from beneficiaries.rules import needs_in_words, rules_summary
from beneficiaries.services import proof_draft_keep, proof_drafts_describe
from ceplus.models import LegalDocument
from ceplus.uploads import MemoryOnlyUploadHandler
from structures.models import Invitation
from structures.services import InvitationGone, InvitationInvalid, invitation_resolve


def invitation_invalid(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    """A forged link answers 404; one that existed but no longer works (expired, revoked,
    used) answers 410. Both say what to do, in French."""
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"invitation": invitation},
        status=404 if invitation is None else 410,
    )


@require_safe
def signup_start(request: HttpRequest, token: str) -> HttpResponse:
    """Where the structure's invitation link lands: the wizard starts with this invitation (or
    goes on, if it was under way with it)."""
    try:
        invitation = invitation_resolve(token=token)
    except InvitationInvalid:
        return invitation_invalid(request, None)
    except InvitationGone as gone:
        return invitation_invalid(request, gone.invitation)
    wizard = SignupWizard.start(request, invitation)
    resume = wizard.data("account") is not None or bool(wizard.draft("account"))
    return render(
        request, "accounts/signup_start.html", {"invitation": invitation, "steps": STEPS, "resume": resume}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def signup_info(request: HttpRequest) -> HttpResponse:
    """CRÉER UN COMPTE: registration goes through the structure's link; paste it here."""
    form = InvitationCodeForm(request.POST or None)
    if form.is_valid():
        return redirect("signup_start", token=form.cleaned_data["link"])
    return render(request, "accounts/signup_info.html", {"form": form})


# --- The signup wizard ----------------------------------------------------------------------
# Function views over a session-backed state (``accounts.signup.state``). Each step re-checks that
# the invitation still works and that the steps before it are done; a POST to a later step
# without them goes back and writes nothing.

# Set when a later step was posted with no wizard left, for step 1 to say why it starts over.
EXPIRED_KEY = "signup_expired"

StepView = Callable[[HttpRequest, SignupWizard, Invitation], HttpResponse]


def wizard_step(key: str) -> Callable[[StepView], Callable[[HttpRequest], HttpResponse]]:
    def decorator(view: StepView) -> Callable[[HttpRequest], HttpResponse]:
        # The pages show what the person typed: no copy kept by the browser or a proxy.
        @never_cache
        @require_http_methods(["GET", "HEAD", "POST"])
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            wizard = SignupWizard(request)
            if wizard.is_empty:
                if request.session.get(SENT_KEY):
                    return redirect("signup_sent")
                # A step posted with no wizard left: the session expired (or the cookies went).
                expired = request.method == "POST" or request.session.pop(EXPIRED_KEY, False)
                if key != "account":
                    if expired:
                        request.session[EXPIRED_KEY] = True
                    return redirect("signup_account")
                messages.info(
                    request,
                    _("Votre session a expiré : recommencez avec le lien d'inscription reçu par email.")
                    if expired
                    else _(
                        "Pour vous inscrire, cliquez sur le lien d'inscription que votre structure vous a envoyé."
                    ),
                )
                return redirect("signup_info")
            invitation = wizard.invitation()
            if invitation is None or not invitation.is_usable:
                wizard.clear()
                return invitation_invalid(request, invitation)
            missing = wizard.first_incomplete(before=key)
            if missing is not None:
                messages.info(request, _("Complétez d'abord cette étape."))
                return redirect(missing.url_name)
            return view(request, wizard, invitation)

        return wrapper

    return decorator


# "Modifier" on the VALIDATION step opens a step with ?retour=validation (kept in its form):
# Suivant then goes straight back to VALIDATION, as GOV.UK's "check your answers" does.
RETURN_PARAMETER = "retour"
RETURN_TO_VALIDATION = "validation"


def is_returning(request: HttpRequest) -> bool:
    """The step was opened from VALIDATION's "Modifier"."""
    value = request.POST.get(RETURN_PARAMETER) or request.GET.get(RETURN_PARAMETER)
    return value == RETURN_TO_VALIDATION


def step_url(request: HttpRequest, url_name: str, anchor: str = "") -> str:
    """The URL of a step of the wizard, still on the way back to VALIDATION if this one is."""
    url = reverse(url_name)
    if is_returning(request):
        url += f"?{RETURN_PARAMETER}={RETURN_TO_VALIDATION}"
    return url + (f"#{anchor}" if anchor else "")


def redirect_after_step(request: HttpRequest, wizard: SignupWizard, url_name: str) -> HttpResponse:
    """After a Suivant: the next step, or VALIDATION again when the person came from there and
    every step is still complete."""
    if is_returning(request) and wizard.first_incomplete(before="validation") is None:
        return redirect("signup_validation")
    return redirect(step_url(request, url_name))


def render_step(
    request: HttpRequest, key: str, context: dict, *, errors: bool = False, template: str | None = None
) -> HttpResponse:
    step = step_by_key(key)
    index = STEPS.index(step)
    return render(
        request,
        template or f"accounts/signup/{key}.html",
        {
            "step": step,
            "step_number": index + 1,
            "steps": STEPS,
            "step_count": len(STEPS),
            "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
            "has_errors": errors,
            "returning": is_returning(request),
            "return_parameter": RETURN_PARAMETER,
            "return_value": RETURN_TO_VALIDATION,
            **context,
        },
    )


def typed(form, *, exclude: tuple[str, ...] = ()) -> dict:
    """What was typed in ``form``'s fields, as text cut to each field's length: kept as a draft."""
    values = {}
    for name, field in form.fields.items():
        if name in exclude or field.disabled:
            continue
        value = form.data.get(form.add_prefix(name), "")
        limit = getattr(field, "max_length", None) or 200
        values[name] = str(value)[:limit]
    return values


@sensitive_post_parameters("password1", "password2")
@wizard_step("account")
def signup_account(request: HttpRequest, wizard: SignupWizard, invitation: Invitation) -> HttpResponse:
    """Step 1, CRÉEZ VOTRE COMPTE."""
    fixed_email = invitation.email if invitation.kind == Invitation.Kind.PERSONAL else ""
    if request.method == "POST":
        form = SignupAccountForm(request.POST, fixed_email=fixed_email, password_hash=wizard.password_hash)
        valid = form.is_valid()
        # A password that passed its checks is kept (hashed) even if another field did not.
        wizard.password_hash = form.password_hash
        back = request.POST.get("nav") == "back"
        if valid:
            wizard.complete("account", to_session(form.details()))
        elif back:
            wizard.keep_draft("account", typed(form, exclude=("password1", "password2")))
        wizard.save()
        if back:
            return redirect("signup_start", token=invitation.token)
        if valid:
            return redirect_after_step(request, wizard, "signup_address")
    else:
        initial = wizard.draft("account") or wizard.data("account") or {}
        form = SignupAccountForm(initial=initial, fixed_email=fixed_email, password_hash=wizard.password_hash)
    return render_step(
        request,
        "account",
        {"form": form, "invitation": invitation},
        errors=bool(form.errors),
    )


@wizard_step("address")
def signup_address(request: HttpRequest, wizard: SignupWizard, invitation: Invitation) -> HttpResponse:
    """Step 2, VOTRE ADRESSE DE LIVRAISON."""
    if request.method == "POST":
        form = SignupAddressForm(request.POST)
        valid = form.is_valid()
        back = request.POST.get("nav") == "back"
        if valid:
            wizard.complete("address", to_session(form.details()))
        elif back:
            wizard.keep_draft("address", typed(form))
        wizard.save()
        if back:
            return redirect(step_url(request, "signup_account"))
        if valid:
            return redirect_after_step(request, wizard, "signup_beneficiaries")
    else:
        form = SignupAddressForm(initial=wizard.draft("address") or wizard.data("address") or None)
    return render_step(request, "address", {"form": form, "invitation": invitation}, errors=bool(form.errors))


@wizard_step("beneficiaries")
def signup_beneficiaries(request: HttpRequest, wizard: SignupWizard, invitation: Invitation) -> HttpResponse:
    """Step 3, AJOUT DE BÉNÉFICIAIRES: zero or more rows, added and removed with buttons when
    JavaScript is off (``static/js/signup.js`` does it in the page when it is on)."""
    structure = invitation.structure
    today = timezone.localdate()
    if request.method == "POST":
        formset = SignupBeneficiaryFormSet(request.POST, structure=structure, today=today)
        nav = request.POST.get("nav")
        remove = request.POST.get("remove")
        if nav == "add" or remove is not None:
            rows = formset.raw_rows() if formset.management_form.is_valid() else []
            anchor = "beneficiaires"
            if remove is not None and remove.isdigit() and int(remove) < len(rows):
                del rows[int(remove)]
                messages.info(request, _("Le bénéficiaire a été retiré."))
            elif nav == "add" and len(rows) < MAX_BENEFICIARIES:
                rows.append({})
                anchor = f"beneficiaire-{len(rows)}"
            wizard.keep_draft("beneficiaries", rows)
            wizard.save()
            return redirect(step_url(request, "signup_beneficiaries", anchor))
        valid = formset.is_valid()
        if valid:
            wizard.complete("beneficiaries", to_session(formset.details()))
        elif nav == "back":
            rows = formset.raw_rows() if formset.management_form.is_valid() else []
            wizard.keep_draft("beneficiaries", rows)
        wizard.save()
        if nav == "back":
            return redirect(step_url(request, "signup_address"))
        if valid:
            if not is_returning(request) and _proof_rows(structure, formset.details(), today):
                return redirect("signup_proofs")
            return redirect("signup_validation")
    else:
        rows = wizard.draft("beneficiaries")
        if rows is None:
            rows = wizard.data("beneficiaries") or []
        rows = [row for row in rows if isinstance(row, dict)]
        formset = SignupBeneficiaryFormSet(initial=rows or None, structure=structure, today=today)
    errors = formset.is_bound and (bool(formset.non_form_errors()) or any(formset.errors))
    return render_step(
        request,
        "beneficiaries",
        {
            "formset": formset,
            "invitation": invitation,
            "structure": structure,
            "allows_any": bool(formset.empty_form.fields["relationship"].choices[1:]),
            "allows_children": structure.allows(Relationship.CHILD),
            "max_beneficiaries": MAX_BENEFICIARIES,
            "rules": rules_summary(structure),
        },
        errors=errors,
    )


def _proof_rows(structure, rows, today) -> list[tuple[int, object, list]]:
    """The beneficiaries typed at step 3 of whom the structure asks a proof: (place, details,
    what to prove with which documents)."""
    found = []
    for index, row in enumerate(rows):
        needs = proof_needs(row, structure, today)
        if needs:
            found.append((index, row, needs))
    return found


def _proof_forms(request: HttpRequest, wizard: SignupWizard, rows, handler=None) -> list[dict]:
    drafts = proof_drafts_describe([wizard.proof_token(row) for _index, row, _needs in rows])
    items = []
    for index, row, needs in rows:
        prefix = f"p{index}"
        draft = drafts.get(wizard.proof_token(row) or "")
        dropped = (handler.dropped.get(f"{prefix}-file") if handler is not None else None) or None
        form = OptionalProofForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            prefix=prefix,
            needs=needs,
            has_file=draft is not None,
            too_large=dropped is not None,
            dropped_size=dropped,
        )
        items.append(
            {
                "row": row,
                "form": form,
                "draft": draft,
                "needs": needs_in_words(needs),
            }
        )
    return items


@csrf_exempt
def signup_proofs(request: HttpRequest) -> HttpResponse:
    """Step 3's proofs, optional: for each beneficiary whose structure asks one, a document and
    its file (a PDF or a phone's photo), or "Je les enverrai plus tard". Files are read in memory
    (never on the server's disk), kept encrypted as drafts until ENVOYER MA DEMANDE."""
    # Before anything reads the body (the CSRF check included): a file too large is said to be.
    request._proof_upload_handler = MemoryOnlyUploadHandler(request, max_bytes=ProofFile.MAX_BYTES)
    request.upload_handlers = [request._proof_upload_handler]
    return _signup_proofs(request)


@csrf_protect
@wizard_step("validation")
def _signup_proofs(request: HttpRequest, wizard: SignupWizard, invitation: Invitation) -> HttpResponse:
    structure = invitation.structure
    try:
        beneficiaries = wizard.details("beneficiaries")
    except WizardStateInvalid:
        return redirect("signup_beneficiaries")
    rows = _proof_rows(structure, beneficiaries, timezone.localdate())
    if not rows:
        return redirect("signup_validation")
    nav = request.POST.get("nav") if request.method == "POST" else None
    if nav == "back":
        return redirect("signup_beneficiaries")
    if nav == "later":
        return redirect("signup_validation")
    items = _proof_forms(request, wizard, rows, getattr(request, "_proof_upload_handler", None))
    if request.method == "POST" and all(item["form"].is_valid() for item in items):
        for item in items:
            form = item["form"]
            if form.checked is not None:
                token = proof_draft_keep(
                    kind=form.cleaned_data["kind"],
                    file=form.checked,
                    file_name=form.cleaned_data["file"].name,
                    replaces=wizard.proof_token(item["row"]),
                )
                wizard.keep_proof(item["row"], token)
        wizard.save()
        return redirect("signup_validation")
    errors = request.method == "POST" and any(item["form"].errors for item in items)
    return render_step(
        request,
        "beneficiaries",
        {"items": items, "invitation": invitation, "structure": structure},
        errors=errors,
        template="accounts/signup/proofs.html",
    )


def phone_display(e164: str) -> str:
    """A stored number as people read it: 06 12 34 56 78 in France, +44 20… elsewhere."""
    try:
        number = PhoneNumber.from_string(e164, region="FR")
    except NumberParseException:
        return e164
    return number.as_national if number.country_code == 33 else number.as_international


@wizard_step("validation")
def signup_validation(request: HttpRequest, wizard: SignupWizard, invitation: Invitation) -> HttpResponse:
    """Step 4, VALIDATION: check your answers, accept the documents, ENVOYER MA DEMANDE."""
    try:
        account = wizard.details("account")
        address = wizard.details("address")
        beneficiaries = wizard.details("beneficiaries")
    except WizardStateInvalid:
        wizard.clear()
        SignupWizard.start(request, invitation)
        messages.error(
            request, _("Votre inscription n'a pas pu être reprise : recommencez-la, s'il vous plaît.")
        )
        return redirect("signup_account")
    documents = LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS)
    if request.method == "POST":
        if not ratelimit.consume(request, action="signup"):
            return render(request, "accounts/signup/rate_limited.html", status=429)
        form = SignupConsentForm(request.POST, documents=documents)
        if form.is_valid():
            try:
                registration_submit(
                    invitation=invitation,
                    account=account,
                    address=address,
                    beneficiaries=beneficiaries,
                    consents=form.accepted_documents(),
                    ip_address=client_ip(request),
                    proofs=[wizard.proof_token(row) for row in beneficiaries],
                )
            except InvitationGone as gone:
                wizard.clear()
                return invitation_invalid(request, gone.invitation)
            except RegistrationRefused as refused:
                if refused.step != "validation":
                    wizard.keep_draft(refused.step, wizard.data(refused.step))
                    wizard.save()
                for message in refused.messages:
                    messages.error(request, message)
                return redirect(step_by_key(refused.step).url_name)
            wizard.clear()
            request.session[SENT_KEY] = {"structure": invitation.structure.name, "email": account.email}
            return redirect("signup_sent")
    else:
        form = SignupConsentForm(documents=documents)
    relationships = dict(Relationship.choices)
    asked = {
        index: needs
        for index, _row, needs in _proof_rows(invitation.structure, beneficiaries, timezone.localdate())
    }
    drafts = proof_drafts_describe([wizard.proof_token(row) for row in beneficiaries])
    return render_step(
        request,
        "validation",
        {
            "form": form,
            "invitation": invitation,
            "account": account,
            "phone_display": phone_display(account.phone),
            "address": address,
            "beneficiaries": [
                {
                    "first_name": row.first_name,
                    "last_name": row.last_name,
                    "relationship_label": relationships.get(row.relationship, row.relationship),
                    "birth_date": row.birth_date,
                    "proof_asked": index in asked,
                    "proof": drafts.get(wizard.proof_token(row) or ""),
                }
                for index, row in enumerate(beneficiaries)
            ],
            "proofs_asked": bool(asked),
        },
        errors=bool(form.errors),
    )


@never_cache
@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation: the same page whether an account was created or the address already
    had one (its owner got an email instead)."""
    sent = request.session.get(SENT_KEY)
    if not isinstance(sent, dict):
        return redirect("home")
    return render(request, "accounts/signup/sent.html", {"sent": sent})


@require_safe
def signup_job_titles(request: HttpRequest) -> JsonResponse:
    """The job titles matching ``?q=``, for the Fonction combobox (``static/js/signup.js``)."""
    titles = job_title_search(request.GET.get("q", ""), limit=20)
    return JsonResponse({"results": [{"id": title.pk, "name": title.name} for title in titles]})
