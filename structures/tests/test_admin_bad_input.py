"""Whatever the query string or the posted data, the admin pages of the queue answer without a
server error and change nothing they should not."""

import pytest

from accounts.models import User
from structures.models import Invitation

GARBAGE = [
    "status=bogus",
    "status=",
    "structure=abc",
    "structure=-1",
    "date_joined__gte=pas-une-date",
    "date_joined__lt=2026-13-45",
    "o=99.-42.abc",
    "p=abc",
    "p=99999",
    "q=%00%27%22<script>",
    "e=1",
    "state=bogus",
    "to_status=bogus",
    "_to_field=password&_popup=1",
    "all=&status=all",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", GARBAGE)
@pytest.mark.parametrize(
    "path",
    [
        "/admin/structures/member/",
        "/admin/structures/member/export/",
        "/admin/structures/invitation/",
        "/admin/structures/membershipdecision/",
        "/admin/beneficiaries/beneficiary/",
    ],
)
def test_garbage_query_strings_never_fail(client_a, member_a, path, query):
    response = client_a.get(f"{path}?{query}")
    assert response.status_code < 500
    if response.status_code == 200 and hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize("object_id", ["abc", "0", "-1", "99999999999999999999", "1%00", "%27%3B--", "1/2"])
@pytest.mark.parametrize(
    "suffix", ["change/", "decision/valider/", "decision/inconnue/", "reinitialiser-mot-de-passe/"]
)
def test_odd_member_ids_never_fail(client_a, object_id, suffix):
    assert client_a.get(f"/admin/structures/member/{object_id}/{suffix}").status_code < 500
    assert client_a.post(f"/admin/structures/member/{object_id}/{suffix}").status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"operation": "bogus"},
        {"operation": "expiry", "expires_on": "31/02/2026"},
        {"operation": "expiry", "expires_on": "x" * 5000},
        {},
    ],
)
def test_odd_shared_link_requests_never_fail(client_a, structure_a, data):
    from structures.services import shared_invitation_get_or_create

    shared = shared_invitation_get_or_create(structure=structure_a)
    response = client_a.post(f"/admin/structures/structure/{structure_a.pk}/invitations/lien/", data)
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"validity": "365", "addresses": "a@example.org"},
        {"validity": "", "addresses": "a@example.org"},
        {"validity": "30", "addresses": "\x00\x01\x02"},
        {"validity": "30", "addresses": "<script>alert(1)</script>@example.org"},
        {"validity": "30", "addresses": "a" * 300 + "@example.org"},
    ],
)
def test_odd_invitation_lists_never_fail(client_a, structure_a, data, mailoutbox):
    response = client_a.post(f"/admin/structures/structure/{structure_a.pk}/invitations/envoyer/", data)
    assert response.status_code in (200, 302)
    assert not Invitation.objects.filter(kind=Invitation.Kind.PERSONAL).exists()
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
def test_a_binary_file_is_refused_with_a_message(client_a, structure_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", content_type="text/csv")
    response = client_a.post(
        f"/admin/structures/structure/{structure_a.pk}/invitations/envoyer/",
        {"validity": "30", "csv_file": upload},
    )
    assert response.status_code == 200
    assert "Ce fichier n&#x27;est pas un fichier CSV" in response.text


@pytest.mark.django_db
def test_an_unclosed_quote_in_a_csv_is_reported(
    client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = 'email\nbon@example.org\n"' + "x" * 200_000 + "\n"
    upload = SimpleUploadedFile("liste.csv", content.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/admin/structures/structure/{structure_a.pk}/invitations/envoyer/",
            {"validity": "30", "csv_file": upload},
            follow=True,
        )
    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [["bon@example.org"]]
    assert "ligne illisible" in response.text


@pytest.mark.django_db
def test_a_rejection_reason_with_markup_is_stored_as_text_and_escaped(client_a, member_a):
    client_a.post(
        f"/admin/structures/member/{member_a.pk}/decision/refuser/",
        {"reason_choice": "other", "reason_text": "<b>non</b>\r\nSubject: injection"},
    )
    member_a.refresh_from_db()
    assert member_a.status == User.Status.REJECTED
    assert member_a.status_reason == "<b>non</b> Subject: injection"
    page = client_a.get(f"/admin/structures/member/{member_a.pk}/change/").text
    assert "<b>non</b>" not in page
