"""A structure's contact and logo: staff set them in the structure's form (through the services,
recorded); the logo is a PNG or a JPEG of 200 Ko at most, kept in the database and served at a
public address with its type, ``nosniff`` and a cache lifetime; the invitation page and the
structure's emails show it; managers read their structure's contact and cannot change it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Event
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import InvitationFactory, publish_consent_documents
from structures.models import Structure, StructureLogo
from structures.services import invitations_send, structure_update
from structures.tests.email_helpers import png

pytestmark = pytest.mark.django_db


def change_url(structure) -> str:
    return f"/admin/structures/structure/{structure.pk}/change/"


def form_data(structure, **overrides) -> dict:
    data = {
        "name": structure.name,
        "kind": structure.kind,
        "allowed_beneficiary_kinds": structure.allowed_beneficiary_kinds,
        "child_age_limit": "",
        "child_age_reference": structure.child_age_reference,
        "notification": structure.notification,
        "contact_email": "",
        "contact_phone": "",
        "contact_hours": "",
        "new_manager_email": "",
        "new_manager_first_name": "",
        "new_manager_last_name": "",
    }
    data.update(overrides)
    return data


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_staff_set_the_contact_and_it_is_recorded(client, staff, structure_a):
    client.force_login(staff)
    page = client.get(change_url(structure_a)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    for name in ("contact_email", "contact_phone", "contact_hours", "logo", "logo_remove"):
        assert f'name="{name}"' in page
    assert 'accept="image/png,image/jpeg"' in page
    response = client.post(
        change_url(structure_a),
        form_data(
            structure_a,
            contact_email="CSE@Textiles.example",
            contact_phone="03 89 00 00 00",
            contact_hours="du lundi au vendredi, de 9 h à 12 h",
        ),
    )
    assert response.status_code == 302, response.text[:3000]
    structure_a.refresh_from_db()
    assert structure_a.contact_email == "cse@textiles.example"
    assert structure_a.contact_phone == "03 89 00 00 00"
    assert structure_a.contact_hours == "du lundi au vendredi, de 9 h à 12 h"
    event = Event.objects.filter(kind=Event.Kind.STRUCTURE_CHANGED, structure=structure_a).get()
    assert {change["field"] for change in event.changes} == {
        "email de contact",
        "téléphone de contact",
        "horaires de contact",
    }
    assert event.acting_user == staff


def test_a_good_png_is_stored_in_the_database_and_served_with_its_type(client, staff, structure_a):
    client.force_login(staff)
    image = png()
    response = client.post(change_url(structure_a), {**form_data(structure_a), "logo": upload(image)})
    assert response.status_code == 302, response.text[:3000]
    logo = StructureLogo.objects.get(structure=structure_a)
    assert bytes(logo.content) == image
    assert logo.content_type == "image/png"
    event = Event.objects.filter(kind=Event.Kind.STRUCTURE_CHANGED, structure=structure_a).get()
    assert event.changes == [{"field": "logo", "before": "—", "after": "image PNG, 1 Ko"}]

    client.logout()
    response = client.get(f"/structures/{structure_a.pk}/logo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == image
    # Asked again with its ETag: nothing to send.
    again = client.get(f"/structures/{structure_a.pk}/logo/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_a_jpeg_is_typed_by_its_content_not_by_its_name(client, staff, structure_a):
    client.force_login(staff)
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
    response = client.post(
        change_url(structure_a), {**form_data(structure_a), "logo": upload(jpeg, "logo.png", "image/png")}
    )
    assert response.status_code == 302, response.text[:3000]
    assert StructureLogo.objects.get(structure=structure_a).content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (png() + b"\x00" * (200 * 1024), "logo.png", "Le logo dépasse 200 Ko"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "logo.svg",
            "PNG ou JPEG",
        ),
        (b"<html><script>alert(1)</script></html>", "logo.png", "PNG ou JPEG"),
        (b"GIF89a" + b"\x00" * 50, "logo.gif", "PNG ou JPEG"),
    ],
)
def test_a_logo_too_large_or_not_an_image_is_refused_in_french(
    client, staff, structure_a, content, name, message
):
    client.force_login(staff)
    response = client.post(change_url(structure_a), {**form_data(structure_a), "logo": upload(content, name)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StructureLogo.objects.exists()


def test_staff_remove_the_logo(client, staff, structure_a):
    structure_update(
        structure=structure_a,
        values={},
        logo=StructureLogo(content=png(), content_type="image/png"),
        acting_user=staff,
    )
    client.force_login(staff)
    response = client.post(change_url(structure_a), {**form_data(structure_a), "logo_remove": "on"})
    assert response.status_code == 302, response.text[:3000]
    assert not StructureLogo.objects.exists()
    assert client.get(f"/structures/{structure_a.pk}/logo/").status_code == 404


def test_a_structure_without_a_logo_has_none_to_serve(client, structure_a):
    assert client.get(f"/structures/{structure_a.pk}/logo/").status_code == 404
    assert client.get("/structures/999999/logo/").status_code == 404


def test_the_invitation_page_and_email_show_the_logo(
    client, staff, structure_a, django_capture_on_commit_callbacks
):
    structure_update(
        structure=structure_a,
        values={},
        logo=StructureLogo(content=png(), content_type="image/png"),
        acting_user=staff,
    )
    path = reverse("structure_logo", args=[structure_a.pk])
    publish_consent_documents()
    invitation = InvitationFactory(structure=structure_a)
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert f'src="{path}?v=' in page
    assert 'alt="Logo de CSE Textiles de Sausheim"' in page

    invitations_send(structure=structure_a, emails=["lea.petit@example.org"], acting_user=staff)
    email = OutgoingEmail.objects.get(template="structures/email/invitation")
    assert f'src="http://testserver{path}?v=' in email.html


def test_managers_read_their_structures_contact_but_cannot_change_it(client_a, structure_a, structure_b):
    structure_a.contact_email = "cse@textiles.example"
    structure_a.save()
    page = client_a.get(change_url(structure_a))
    assert page.status_code == 200
    assert "cse@textiles.example" in page.content.decode()
    assert 'name="contact_email"' not in page.content.decode()
    assert 'name="logo"' not in page.content.decode()

    for structure in (structure_a, structure_b):
        response = client_a.post(
            change_url(structure),
            {**form_data(structure, contact_email="pirate@example.org"), "logo": upload(png())},
        )
        assert response.status_code in (302, 403, 404)
    assert set(Structure.objects.values_list("contact_email", flat=True)) == {"cse@textiles.example", ""}
    assert not StructureLogo.objects.exists()
